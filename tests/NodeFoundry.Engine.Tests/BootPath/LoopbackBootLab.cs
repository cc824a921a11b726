using System.Net;
using System.Net.Sockets;
using NodeFoundry.BootPath;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Host;

namespace NodeFoundry.Tests.BootPath;

/// <summary>
/// A NodeFoundry boot stack on loopback serving the example lab (the demo's world: stand-in loaders, kernels
/// and initrds, the lab moved to 127.0.0.0/24), answering DHCP relay style to a port the tester will listen on.
/// An edit can break the fleet file on purpose before the stack starts.
/// </summary>
internal sealed class LoopbackBootLab : IAsyncDisposable
{
    private readonly DirectoryInfo _state;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private LoopbackBootLab(DirectoryInfo state, DemoLab lab, FleetConfig fleet, BootStack stack, int relayPort)
    {
        _state = state;
        Lab = lab;
        Fleet = fleet;
        Stack = stack;
        RelayPort = relayPort;
    }

    public DemoLab Lab { get; }

    public FleetConfig Fleet { get; }

    public BootStack Stack { get; }

    /// <summary>The port DHCP answers "relays" on: where the tester listens.</summary>
    public int RelayPort { get; }

    public IPEndPoint DhcpEndPoint => Stack.Dhcp!.LocalEndPoint!;

    /// <param name="edit">Rewrites the loopback fleet file (its HTTP port already chosen) before the stack reads it.</param>
    /// <param name="relayPort">The tester's port; 0 picks a free one.</param>
    public static async Task<LoopbackBootLab> StartAsync(Func<string, string>? edit = null, int relayPort = 0, BootStackEngines engines = BootStackEngines.All, IPAddress? listen = null)
    {
        var state = Directory.CreateTempSubdirectory("nodefoundry-bootpath-");
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), state);
        var fleet = lab.Fleet;
        if (edit is not null)
        {
            var path = fleet.SourcePath!;
            File.WriteAllText(path, edit(File.ReadAllText(path)));
            fleet = FleetLoader.LoadFileOrThrow(path);
        }

        relayPort = relayPort == 0 ? FreeUdpPort() : relayPort;
        var stack = new BootStack(fleet, new BootStackOptions
        {
            ListenAddress = listen ?? IPAddress.Loopback,
            InterfaceName = string.Empty,
            DhcpPort = 0,
            DhcpRelayPort = relayPort,
            TftpPort = 0,
            HttpPort = engines.HasFlag(BootStackEngines.Http) ? null : 0,
            NoJournal = true,
            Engines = engines,
        });
        var lab2 = new LoopbackBootLab(state, lab, fleet, stack, relayPort);
        lab2._run = stack.RunAsync(new BoundedEventChannel(), lab2._stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(30));
        return lab2;
    }

    /// <summary>Options that probe this stack relay style as the node with <paramref name="mac"/>, with the fleet's expectations or none.</summary>
    public BootPathOptions Options(System.Net.NetworkInformation.PhysicalAddress mac, bool expect = true, params IPEndPoint[] moreServers) => new()
    {
        Servers = [DhcpEndPoint, .. moreServers],
        RelayAddress = IPAddress.Loopback,
        RelayPort = RelayPort,
        MacAddress = mac,
        TftpPort = Stack.Tftp?.LocalEndPoint?.Port ?? 69,
        // Long enough for a loaded 2-core machine to answer; the window bounds the wait, it asserts nothing.
        OfferWindow = TimeSpan.FromSeconds(3),
        Timeout = TimeSpan.FromSeconds(20),
        Expect = expect ? BootPathExpectations.FromFleet(Fleet, mac) : null,
    };

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        Stack.Dispose();
        _stop.Dispose();
        _state.Delete(recursive: true);
    }
}
