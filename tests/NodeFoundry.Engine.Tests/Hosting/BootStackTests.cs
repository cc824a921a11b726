using System.Net;
using System.Net.Sockets;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Http;
using NodeFoundry.Host;
using NodeFoundry.Probe;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Tests.Hosting;

/// <summary>The whole stack on loopback: DHCP, TFTP and HTTP from one fleet, one timeline, and all-or-nothing start.</summary>
public sealed class BootStackTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("nodefoundry-stack-");

    public void Dispose() => _state.Delete(recursive: true);

    [Fact]
    public async Task A_node_walked_through_DHCP_TFTP_and_HTTP_reaches_Installed_on_the_stacks_timeline()
    {
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), _state);
        using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0));
        using var stack = new BootStack(lab.Fleet, new BootStackOptions
        {
            ListenAddress = IPAddress.Loopback,
            InterfaceName = string.Empty,
            DhcpPort = 0,
            DhcpRelayPort = probe.LocalEndPoint.Port,
            TftpPort = 0,
            NoJournal = true,
        });
        var events = new CollectingSink();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = stack.RunAsync(events, stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        probe.Server = stack.Dhcp!.LocalEndPoint!;

        var node = lab.Fleet.Nodes[0];
        var firmware = probe.Probe(new DhcpProbeRequest(node.MacAddress, 0) { CompleteLease = true });
        var address = Assert.IsType<IPAddress>(firmware.Ack?.YourAddress);
        var nbp = await new TftpRomClient(new TftpRomClientOptions { LocalAddress = address, Deadline = TimeSpan.FromSeconds(20) })
            .FetchAsync(stack.Tftp!.LocalEndPoint!, firmware.BootFile!, stop.Token);
        Assert.True(nbp.Succeeded, nbp.ToString());
        await stack.Timeline.WaitForStageAsync(BootStage.NbpFetched, [node.MacAddress], TimeSpan.FromSeconds(5), stop.Token);

        var ipxe = probe.Probe(new DhcpProbeRequest(node.MacAddress, 0, Ipxe: true) { CompleteLease = true });
        var ipxeAddress = Assert.IsType<IPAddress>(ipxe.Ack?.YourAddress);
        using var http = new DemoHttpClient(ipxeAddress, "iPXE/1.21.1 (tests)");
        var profile = lab.Fleet.FindProfile(node.Profile)!;
        foreach (var url in new[] { ipxe.BootFile!, Url(lab, profile.Kernel!), Url(lab, profile.Initrd!), Url(lab, "phone-home/" + MacAddressText.Format(node.MacAddress)) })
        {
            var (status, _, error) = await http.SendAsync(HttpMethod.Get, url, stop.Token);
            Assert.True(status is >= 200 and < 300, $"GET {url} → {status} {error}");
        }

        var reached = await stack.Timeline.WaitForStageAsync(BootStage.Installed, [node.MacAddress], TimeSpan.FromSeconds(5), stop.Token);
        var timeline = Assert.Single(reached);
        Assert.Equal(node.Name, timeline.NodeName);
        Assert.Equal(BootStage.Installed, timeline.Stage);
        foreach (var stage in new[] { BootStage.Offered, BootStage.Bound, BootStage.NbpFetched, BootStage.IpxeDhcp, BootStage.ScriptFetched, BootStage.Kernel, BootStage.Initrd })
        {
            Assert.True(timeline.Reached.ContainsKey(stage), $"never saw {stage}");
        }

        // The stack's sink saw the engines' events and the timeline's stage events.
        Assert.Contains(events.Events, e => e is LeaseEvent);
        Assert.Contains(events.Events, e => e is TransferEvent);
        Assert.Contains(events.Events, e => e is HttpRequestEvent);
        Assert.Contains(events.Events, e => e is BootStageEvent { Stage: BootStage.Installed });
        var metrics = await http.SendAsync(HttpMethod.Get, Url(lab, "metrics"), stop.Token);
        Assert.Equal(200, metrics.Status);

        // Nodes per boot stage on /metrics come from the stack's timeline: every stage a series, this node at Installed.
        var samples = Routes.MetricsTests.ParseExposition(System.Text.Encoding.UTF8.GetString(metrics.Body));
        foreach (var stage in Enum.GetValues<BootStage>())
        {
            Assert.Equal(stage == BootStage.Installed ? 1 : 0, samples[$"nodefoundry_nodes_by_stage{{stage=\"{stage}\"}}"]);
        }

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task One_engine_that_cannot_bind_stops_the_whole_stack_and_the_error_names_it()
    {
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), _state);
        using var occupied = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupied.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupied.Listen();
        var port = ((IPEndPoint)occupied.LocalEndPoint!).Port;
        using var stack = new BootStack(lab.Fleet, new BootStackOptions
        {
            ListenAddress = IPAddress.Loopback,
            InterfaceName = string.Empty,
            DhcpPort = 0,
            TftpPort = 0,
            HttpPort = port,
            NoJournal = true,
        });

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var failure = await Assert.ThrowsAsync<BootStackException>(() => stack.RunAsync(new CollectingSink(), stop.Token));
        Assert.StartsWith("http@", failure.ServiceName, StringComparison.Ordinal);
        Assert.Contains(failure.ServiceName, failure.Message, StringComparison.Ordinal);
        Assert.NotNull(failure.InnerException);
        Assert.Contains(failure.InnerException!.Message, failure.Message, StringComparison.Ordinal);
        Assert.False(stop.IsCancellationRequested, "the stack stopped by itself, not by the test's timeout");
        var listening = await Assert.ThrowsAsync<BootStackException>(() => stack.WhenListening);
        Assert.Same(failure, listening);
    }

    [Fact]
    public async Task A_stack_with_a_boot_event_store_records_its_stages_and_the_nodes_inventory_there()
    {
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), _state);
        using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0));
        var store = new MemoryBootEventStore();
        using var stack = new BootStack(lab.Fleet, new BootStackOptions
        {
            ListenAddress = IPAddress.Loopback,
            InterfaceName = string.Empty,
            DhcpPort = 0,
            DhcpRelayPort = probe.LocalEndPoint.Port,
            Engines = BootStackEngines.Dhcp | BootStackEngines.Http,
            NoJournal = true,
            BootEventStore = () => store,
        });
        Assert.NotNull(stack.BootEvents);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = stack.RunAsync(new CollectingSink(), stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        probe.Server = stack.Dhcp!.LocalEndPoint!;

        var node = lab.Fleet.Nodes[0];
        var uuid = Guid.NewGuid();
        var firmware = probe.Probe(new DhcpProbeRequest(node.MacAddress, 7) { Uuid = uuid, CompleteLease = true });
        var address = Assert.IsType<IPAddress>(firmware.Ack?.YourAddress);
        using var http = new DemoHttpClient(address, "curl/8 (tests)");
        var (status, _, error) = await http.SendAsync(HttpMethod.Post, Url(lab, "phone-home/" + MacAddressText.Format(node.MacAddress)), stop.Token);
        Assert.True(status is >= 200 and < 300, $"phone-home → {status} {error}");
        await stack.Timeline.WaitForStageAsync(BootStage.Installed, [node.MacAddress], TimeSpan.FromSeconds(10), stop.Token);

        // Stopping the stack writes what the recorder still holds: no wait on its flush interval.
        await stop.CancelAsync();
        await run;

        var events = store.ReadEvents(node.MacAddress);
        Assert.Equal([BootStage.Offered, BootStage.Bound, BootStage.Installed], events.Select(e => e.Stage));
        var metrics = Routes.MetricsTests.ParseExposition(stack.Metrics.Render());
        Assert.Equal(3, metrics["nodefoundry_boot_events_written_total"]);
        Assert.Equal(0, metrics["nodefoundry_boot_events_backlog"]);
        Assert.Equal(0, metrics["nodefoundry_boot_events_dropped_total"]);
        Assert.Equal(1, metrics["nodefoundry_boot_events_store_up"]);
        Assert.All(events, e => Assert.Equal(LeaseStores.ServerName(lab.Fleet), e.Server));
        var row = Assert.Single(store.ReadNodes());
        Assert.Equal(uuid, row.Uuid);
        Assert.Equal((ushort)7, row.Architecture);
        Assert.NotNull(row.InstalledAt);
        Assert.Equal(LeaseStores.ServerName(lab.Fleet), row.LastServer);

        // Another server reinstalls the node later: the stack's fleet-wide view has the new attempt, its own has not.
        var later = events[^1].At.AddMinutes(5);
        store.Write([new BootEventRecord(later, node.MacAddress, address, BootStage.Offered, "other/192.0.2.4", "dhcp offered")], []);
        var fleetWide = Assert.Single(stack.ReadFleetTimelines(), t => t.MacAddress.Equals(node.MacAddress));
        Assert.Equal(2, fleetWide.Attempt);
        Assert.Equal(BootStage.Offered, fleetWide.Stage);
        Assert.Equal(node.Name, fleetWide.NodeName);
        Assert.Equal(BootStage.Installed, stack.Timeline.Get(node.MacAddress)!.Stage);

        // A node that booted only through the other server: waiting on this stack sees it in the shared store.
        var other = lab.Fleet.Nodes[1].MacAddress;
        store.Write([new BootEventRecord(later, other, null, BootStage.Installed, "other/192.0.2.4", "phone-home")], []);
        var waited = await stack.WaitForStageAsync(BootStage.Installed, 0, [other], TimeSpan.FromSeconds(30), pollInterval: TimeSpan.FromMilliseconds(50));
        Assert.Equal(other, Assert.Single(waited).MacAddress);
        Assert.Null(stack.Timeline.Get(other));
    }

    [Fact]
    public void A_stack_of_a_fleet_without_a_shared_store_records_nowhere()
    {
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), _state);
        using var stack = new BootStack(lab.Fleet, new BootStackOptions { ListenAddress = IPAddress.Loopback, InterfaceName = string.Empty, NoJournal = true, DhcpPort = 0, TftpPort = 0, HttpPort = 0 });
        Assert.Null(stack.BootEvents);
    }

    [Fact]
    public void The_stack_runs_only_the_engines_asked_for()
    {
        var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), _state);
        using var stack = new BootStack(lab.Fleet, new BootStackOptions { ListenAddress = IPAddress.Loopback,
            InterfaceName = string.Empty, Engines = BootStackEngines.Dhcp | BootStackEngines.Http, NoJournal = true, DhcpPort = 0, HttpPort = 0 });
        Assert.NotNull(stack.Dhcp);
        Assert.Null(stack.Tftp);
        Assert.NotNull(stack.Http);
        Assert.Equal(2, stack.Services.Count);
        Assert.StartsWith("stack: dhcp@127.0.0.1:0, http@", stack.Name, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new BootStack(lab.Fleet, new BootStackOptions { Engines = BootStackEngines.None }));
    }

    private static string Url(DemoLab lab, string relative) => BootRoutes.Absolute(lab.Fleet.Boot.HttpBaseUrl, relative);

    private sealed class CollectingSink : IBootEventSink
    {
        private readonly List<BootEvent> _events = [];

        public IReadOnlyList<BootEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Publish(BootEvent bootEvent)
        {
            lock (_events)
            {
                _events.Add(bootEvent);
            }
        }
    }
}
