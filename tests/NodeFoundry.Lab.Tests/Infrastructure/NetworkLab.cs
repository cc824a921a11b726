using System.Globalization;
using System.Net.NetworkInformation;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// A throwaway network made of Linux network namespaces, owned by one test: a server namespace whose
/// bridge holds 192.0.2.1/24 (TEST-NET-1) and a client namespace with one veth per simulated NIC.
/// Nothing touches the host's own interfaces; Dispose deletes the namespaces (and with them every veth)
/// and ends every process the lab started.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private static int _sequence;
    private readonly List<LabProcess> _processes = [];
    private int _nextClient;

    public NetworkLab()
    {
        Requirements.RequireRoot();
        Id = string.Create(CultureInfo.InvariantCulture, $"nf{Environment.ProcessId % 100000}{(char)('a' + (Interlocked.Increment(ref _sequence) % 26))}");
        ServerNamespace = Id + "-s";
        ClientNamespace = Id + "-c";
        try
        {
            Ip("netns", "add", ServerNamespace);
            Ip("netns", "add", ClientNamespace);
            Ip("-n", ServerNamespace, "link", "set", "lo", "up");
            Ip("-n", ClientNamespace, "link", "set", "lo", "up");
            Ip("-n", ServerNamespace, "link", "add", Bridge, "type", "bridge");
            Ip("-n", ServerNamespace, "addr", "add", "192.0.2.1/24", "dev", Bridge);
            Ip("-n", ServerNamespace, "link", "set", Bridge, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }

    public string ServerNamespace { get; }

    public string ClientNamespace { get; }

    /// <summary>The server's interface (a bridge, so many client veths can hang off it).</summary>
    public string Bridge => "nfbr0";

    /// <summary>
    /// Adds a client NIC: a veth pair, one end on the server's bridge, the other in the client namespace
    /// with <paramref name="mac"/>. Returns the client-side interface name.
    /// </summary>
    public string AddClient(PhysicalAddress mac, string? address = null)
    {
        ArgumentNullException.ThrowIfNull(mac);
        var n = Interlocked.Increment(ref _nextClient);
        var client = string.Create(CultureInfo.InvariantCulture, $"c{n}");
        var serverSide = string.Create(CultureInfo.InvariantCulture, $"s{n}");
        Ip("-n", ClientNamespace, "link", "add", client, "type", "veth", "peer", "name", serverSide, "netns", ServerNamespace);
        Ip("-n", ClientNamespace, "link", "set", client, "address", string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture))));
        Ip("-n", ServerNamespace, "link", "set", serverSide, "master", Bridge);
        Ip("-n", ServerNamespace, "link", "set", serverSide, "up");
        if (address is not null)
        {
            Ip("-n", ClientNamespace, "addr", "add", address, "dev", client);
        }

        Ip("-n", ClientNamespace, "link", "set", client, "up");
        return client;
    }

    /// <summary>Adds another address to a client interface (e.g. one per simulated relay).</summary>
    public void AddClientAddress(string iface, string cidr) => Ip("-n", ClientNamespace, "addr", "add", cidr, "dev", iface);

    /// <summary>Runs a command in a namespace to completion (bounded).</summary>
    public (int ExitCode, string Output, string Error) Exec(string ns, TimeSpan timeout, string command, params string[] arguments) =>
        LabProcess.Run("ip", ["netns", "exec", ns, command, .. arguments], timeout);

    /// <summary>Starts a long-running command in a namespace; the lab ends it on Dispose.</summary>
    public LabProcess Start(string ns, string command, params string[] arguments)
    {
        var process = LabProcess.Start("ip", ["netns", "exec", ns, command, .. arguments]);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private static void Ip(params string[] arguments)
    {
        var (exit, output, error) = LabProcess.Run("ip", arguments, TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exit}): {error}{output}");
        }
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Dispose();
            }

            _processes.Clear();
        }

        foreach (var ns in new[] { ClientNamespace, ServerNamespace })
        {
            if (ns is not null)
            {
                LabProcess.Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(20));
            }
        }
    }
}
