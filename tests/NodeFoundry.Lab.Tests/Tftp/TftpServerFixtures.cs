using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Tftp;

/// <summary>One TFTP lab and one running server, shared by a test class.</summary>
public abstract class TftpServerFixture : IDisposable
{
    protected TftpServerFixture(string name, Func<TftpLab, LabProcess> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        Name = name;
        Start = start;
        Lab = new TftpLab();
        try
        {
            Server = start(Lab);
        }
        catch
        {
            Lab.Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>Starts this kind of server in a lab (storm tests use a fresh lab and server each, so a saturated server never spills into another test).</summary>
    public Func<TftpLab, LabProcess> Start { get; }

    public TftpLab Lab { get; }

    public LabProcess Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>dnsmasq's TFTP server with its defaults: the peer that proves the harness.</summary>
public sealed class DnsmasqTftpFixture() : TftpServerFixture("dnsmasq", lab => lab.StartDnsmasq());

/// <summary>`nodefoundry serve` of the lab fleet: the product.</summary>
public sealed class NodeFoundryTftpFixture() : TftpServerFixture("NodeFoundry", lab => lab.StartNodeFoundry());

/// <summary>The TFTP lab tests run one class at a time: their timing assertions need the two cores to themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TftpLabCollection
{
    public const string Name = "tftp-lab";
}
