using System.Net;
using System.Net.Sockets;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Http;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What BootServiceJob.Tests.ps1 ('fails the job with NfBootServiceAddressInUse when the port is taken') takes for
/// granted for TFTP and HTTP (PesterAssumptionTests covers DHCP): with 127.0.0.1:port held by another socket, bound
/// the way New-NfTestSocket binds it (no SO_REUSEADDR; a TCP one listening), the engine fails with an exception the
/// job classifies as NfBootServiceAddressInUse (ResourceUnavailable), whose message says "already in use" on every
/// platform (the engine words it, not the OS: Windows' own text is "Only one usage of each socket address"), and
/// whose WhenListening faults, so the cmdlet returns instead of waiting out its 15 s.
/// </summary>
public sealed class AddressInUsePesterAssumptionTests : IDisposable
{
    private readonly TempRoot _root = new("nf-module-tests-inuse-");

    public void Dispose() => _root.Dispose();

    [Fact]
    public Task A_taken_UDP_port_fails_TFTP_as_address_in_use() =>
        AssertAddressInUse(tcp: false, port => new TftpServer(TftpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(PesterFixtures.Fleet)) with
        {
            Root = _root.FullName,
            ListenAddress = IPAddress.Loopback,
            Port = port,
        }));

    [Fact]
    public Task A_taken_TCP_port_fails_HTTP_as_address_in_use() =>
        AssertAddressInUse(tcp: true, port => new HttpBootServer(HttpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(PesterFixtures.Fleet)) with
        {
            Root = _root.FullName,
            ListenAddress = IPAddress.Loopback,
            Port = port,
        }));

    private static async Task AssertAddressInUse(bool tcp, Func<int, IBootService> create)
    {
        using Socket blocker = tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (OperatingSystem.IsWindows())
        {
            blocker.ExclusiveAddressUse = true;
        }

        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        if (tcp)
        {
            blocker.Listen(1);
        }

        int port = ((IPEndPoint)blocker.LocalEndPoint!).Port;
        IBootService server = create(port);

        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => server.RunAsync(new NullSink(), CancellationToken.None));

        // BootJobErrors maps AddressInUse onto ErrorCategory.ResourceUnavailable (the suite's CategoryInfo check).
        Assert.Equal((BootServiceFailure.AddressInUseId, BootFailureKind.AddressInUse), BootServiceFailure.Classify(failure));
        Assert.Contains("already in use", failure.Message, StringComparison.Ordinal);
        Assert.True(Assert.IsAssignableFrom<IListeningService>(server).WhenListening.IsFaulted);
        Assert.Equal($"{(tcp ? "http" : "tftp")}@127.0.0.1:{port}", server.Name);
    }

    private sealed class NullSink : IBootEventSink
    {
        public void Publish(BootEvent bootEvent)
        {
        }
    }
}
