using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Surface;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What tests/Pester takes for granted about the engine, checked here without PowerShell (CI may have no pwsh):
/// the fixtures load as the suites expect, and a server set up the way Start-NfDhcpServer sets it up in those
/// suites (127.0.0.1, a high port, -RelayPort = the probe's port) answers the engine's DhcpProbeClient.
/// </summary>
public sealed class PesterAssumptionTests
{
    private static readonly string Fixtures = Path.Combine(ModuleLayout.RepositoryRoot, "tests", "Pester", "fixtures");
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52:54:00:00:00:01");

    [Fact]
    public void The_fleet_fixture_is_valid_and_has_the_nodes_the_suites_use()
    {
        FleetLoadResult result = FleetLoader.LoadFile(Path.Combine(Fixtures, "fleet.yaml"));

        Assert.Empty(result.Errors);
        FleetConfig fleet = result.Fleet!;
        Assert.Equal(IPAddress.Parse("192.0.2.1"), fleet.Server.Address);
        Assert.Equal(["node01", "node02"], fleet.Nodes.Select(n => n.Name));
        FleetNode node01 = fleet.Nodes[0];
        Assert.Equal(Node01, node01.MacAddress);
        Assert.Equal("node01.lab", node01.HostName);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), node01.Address);
        Assert.Equal("ubuntu", node01.Profile);
    }

    [Fact]
    public void The_bad_fleet_fixture_has_exactly_the_two_errors_the_suites_expect()
    {
        FleetLoadResult result = FleetLoader.LoadFile(Path.Combine(Fixtures, "bad-fleet.yaml"));

        Assert.Null(result.Fleet);
        Assert.Equal([(19, "nodes[0].mac"), (25, "nodes[1].address")], result.Errors.Select(e => (e.Line, e.Field)));
        Assert.All(result.Errors, e => Assert.Matches(@"bad-fleet\.yaml:(19|25):\d+: nodes\[\d\]\.\w+: .+ Fix: .+", e.ToString()));

        // Start-NfDhcpServer throws the engine's exception; its message lists every error.
        var thrown = new FleetValidationException(result.Errors);
        Assert.Same(result.Errors, thrown.Errors);
        Assert.Contains(result.Errors[0].ToString(), thrown.Message, StringComparison.Ordinal);
        Assert.Contains(result.Errors[1].ToString(), thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loopback_server_answers_a_relay_style_probe_as_server_address_and_persists_the_lease()
    {
        FleetConfig fleet = FleetLoader.LoadFileOrThrow(Path.Combine(Fixtures, "fleet.yaml"));
        string journal = Path.Combine(Path.GetTempPath(), $"nf-module-tests-{Guid.NewGuid():N}.journal");
        using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, 0));
        DhcpServerOptions options = DhcpServerOptions.FromFleet(fleet) with
        {
            ListenAddress = IPAddress.Loopback,
            Port = 0,
            RelayPort = probe.LocalEndPoint.Port,
            JournalPath = journal,
        };
        var server = new DhcpServer(fleet, options);
        var events = new EventQueue<BootEvent>();
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => server.RunAsync(events, stop.Token));
        try
        {
            await server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            // The suite's "dhcp@127.0.0.1:$Port": the name carries the bound port (here an ephemeral one).
            Assert.Equal($"dhcp@127.0.0.1:{server.LocalEndPoint!.Port}", server.Name);
            probe.Server = server.LocalEndPoint!;

            DhcpProbeResult result = probe.Probe(new DhcpProbeRequest(Node01, Architecture: 0) { CompleteLease = true });

            Assert.True(result.Acknowledged, result.Failure);
            Assert.Equal(IPAddress.Parse("192.0.2.1"), result.ServerIdentifier);
            Assert.Equal(IPAddress.Parse("192.0.2.1"), result.NextServer);
            Assert.Equal(IPAddress.Parse("192.0.2.11"), result.OfferedAddress);
            Assert.Equal("undionly.kpxe", result.BootFile);
            Lease lease = Assert.Single(server.GetLeases());
            Assert.Equal((Node01, IPAddress.Parse("192.0.2.11"), LeaseState.Bound), (lease.MacAddress, lease.Address, lease.State));
            Assert.Contains(events.Items, e => e is LeaseEvent { Kind: LeaseEventKind.Offered, Source: "dhcp" } offered
                && offered.MacAddress!.Equals(Node01) && IPAddress.Loopback.Equals(offered.RelayAgent));
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        try
        {
            // Get-NfLease -JournalPath after Stop-Job; and Stop-Job releases the port (Test-NfTestPortFree).
            Lease persisted = Assert.Single(LeaseJournal.ReadLeases(journal));
            Assert.Equal(IPAddress.Parse("192.0.2.11"), persisted.Address);
        }
        finally
        {
            File.Delete(journal);
        }
    }

    [Fact]
    public async Task A_taken_port_fails_the_run_with_the_address_in_use_error_id()
    {
        FleetConfig fleet = FleetLoader.LoadFileOrThrow(Path.Combine(Fixtures, "fleet.yaml"));
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)blocker.LocalEndPoint!).Port;
        var server = new DhcpServer(fleet, DhcpServerOptions.FromFleet(fleet) with { ListenAddress = IPAddress.Loopback, Port = port, JournalPath = null });

        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => server.RunAsync(new EventQueue<BootEvent>(), CancellationToken.None));

        Assert.Equal(BootServiceFailure.AddressInUseId, BootServiceFailure.Classify(failure).ErrorId);
        Assert.Equal($"dhcp@127.0.0.1:{port}", server.Name);
    }
}
