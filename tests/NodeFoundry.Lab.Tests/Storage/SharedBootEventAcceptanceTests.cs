using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Infrastructure;
using NodeFoundry.Timeline;
using Xunit.Abstractions;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// Issue 9's one boot timeline, on real processes: two `nodefoundry serve` in separate namespaces behind two relays,
/// one PostgreSQL. Each server records the boot stages it sees; a third reader (an operator console: the test's own
/// store, and `nodefoundry timeline`/`nodes` with either server's fleet file) sees every node's events from both,
/// merged by time, and the inventory. And through a database outage the servers keep serving while their events wait.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedBootEventAcceptanceTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private const int NodesPerServer = 12;
    private const int Attempts = 12;
    private static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(60);

    [Fact]
    public void Both_servers_events_reach_one_store_and_any_console_sees_every_node_merged_by_time()
    {
        var connection = cluster.ConnectionString(cluster.CreateDatabase("nfpg_timeline"));
        using var lab = new SharedStoreLab(connection);
        var serverA = lab.StartServer("a");
        var serverB = lab.StartServer("b");
        using var relayA = lab.Relay(SharedStoreLab.RelayA, SharedStoreLab.ServerA);
        using var relayB = lab.Relay(SharedStoreLab.RelayB, SharedStoreLab.ServerB);
        var nameA = $"{Environment.MachineName}/{SharedStoreLab.ServerA.Address}";
        var nameB = $"{Environment.MachineName}/{SharedStoreLab.ServerB.Address}";

        // Firmware DHCP: half the nodes through A, half through B (EFI x64, each with its option 97 UUID).
        var nodes = Enumerable.Range(0, 2 * NodesPerServer).Select(i => (Mac: TestMacs.Next(), Boot: new BootClientIdentity(7, Guid.NewGuid()), ViaA: i < NodesPerServer)).ToList();
        foreach (var (mac, boot, viaA) in nodes)
        {
            Bind(viaA ? relayA : relayB, mac, boot, viaA ? serverA : serverB);
        }

        // iPXE's DHCP of A's first half goes through B (their relay failed over): one boot, two servers.
        var crossed = nodes.Where(n => n.ViaA).Take(NodesPerServer / 2).ToList();
        foreach (var (mac, boot, _) in crossed)
        {
            Bind(relayB, mac, boot.AsIpxe(), serverB);
        }

        using var console = PostgresBootEventStore.Open(connection, "console");
        var expected = nodes.ToDictionary(n => n.Mac, n => crossed.Any(c => c.Mac.Equals(n.Mac)) ? BootStage.IpxeDhcp : BootStage.Bound);
        var timelines = WaitForStages(console, expected);

        foreach (var (mac, boot, viaA) in nodes)
        {
            var events = console.ReadEvents(mac);
            Assert.True(events.Zip(events.Skip(1)).All(p => p.First.At <= p.Second.At), $"{mac}: events not in time order");
            var node = timelines[mac];
            Assert.True(node.At(BootStage.Offered) <= node.At(BootStage.Bound), $"{mac}: bound before offered");
            if (crossed.Any(c => c.Mac.Equals(mac)))
            {
                Assert.Equal([nameA, nameB], events.Select(e => e.Server).Distinct().Order(StringComparer.Ordinal));
                Assert.All(events.Where(e => e.Stage < BootStage.IpxeDhcp), e => Assert.Equal(nameA, e.Server));
                Assert.Equal(nameB, events.Single(e => e.Stage == BootStage.IpxeDhcp).Server);
                Assert.True(node.At(BootStage.Bound) <= node.At(BootStage.IpxeDhcp), $"{mac}: iPXE before the firmware's lease");
            }
            else
            {
                Assert.All(events, e => Assert.Equal(viaA ? nameA : nameB, e.Server));
            }
        }

        // The inventory: each node once, with the firmware's UUID and architecture, whichever server saw it last.
        var inventory = WaitForInventory(console, nodes.Select(n => n.Mac).ToHashSet(), crossed.Select(c => c.Mac).ToHashSet(), nameB);
        foreach (var (mac, boot, viaA) in nodes)
        {
            var row = inventory[mac];
            Assert.Equal(boot.Uuid, row.Uuid);
            Assert.Equal((ushort)7, row.Architecture);
            Assert.NotNull(row.LastIPAddress);
            Assert.True(row.FirstSeen <= row.LastSeen);
            Assert.Equal(crossed.Any(c => c.Mac.Equals(mac)) || !viaA ? nameB : nameA, row.LastServer);
        }

        // The host's console verbs, from either server's fleet file, read the same fleet.
        var probe = crossed[0].Mac;
        var (exit, listing, error) = LabProcess.Run("dotnet", [NodeFoundryProcess.HostDll, "timeline", "--config", lab.FleetPath("b"), "--mac", TestMacs.Colon(probe)], TimeSpan.FromSeconds(60));
        output.WriteLine(listing);
        Assert.True(exit == 0, error);
        Assert.Contains(TestMacs.Colon(probe) + " ", listing, StringComparison.Ordinal);
        Assert.Contains(nameA, listing, StringComparison.Ordinal);
        Assert.Contains(nameB, listing, StringComparison.Ordinal);
        Assert.Contains(" IpxeDhcp ", listing, StringComparison.Ordinal);

        (exit, listing, error) = LabProcess.Run("dotnet", [NodeFoundryProcess.HostDll, "nodes", "--config", lab.FleetPath("a")], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, error);
        var listed = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ', 2)[0]).ToHashSet();
        Assert.Equal(nodes.Select(n => TestMacs.Colon(n.Mac)).ToHashSet(), listed);
        Assert.All(nodes, n => Assert.Contains(n.Boot.Uuid.ToString("D"), listing, StringComparison.Ordinal));
    }

    [Fact]
    public void Through_a_database_outage_the_servers_keep_serving_and_their_boot_events_reach_the_store_after_it()
    {
        var connection = cluster.ConnectionString(cluster.CreateDatabase("nfpg_events_outage"));
        using var lab = new SharedStoreLab(connection);
        var serverA = lab.StartServer("a");
        var serverB = lab.StartServer("b");
        using var relayA = lab.Relay(SharedStoreLab.RelayA, SharedStoreLab.ServerA);
        using var relayB = lab.Relay(SharedStoreLab.RelayB, SharedStoreLab.ServerB);
        var nodes = Enumerable.Range(0, 2 * NodesPerServer).Select(i => (Mac: TestMacs.Next(), Boot: new BootClientIdentity(0, Guid.NewGuid()), Relay: i % 2 == 0 ? relayA : relayB, Server: i % 2 == 0 ? serverA : serverB)).ToList();
        foreach (var (mac, boot, relay, server) in nodes)
        {
            Bind(relay, mac, boot, server);
        }

        using var console = PostgresBootEventStore.Open(connection, "console");
        WaitForStages(console, nodes.ToDictionary(n => n.Mac, _ => BootStage.Bound));

        cluster.Stop();
        try
        {
            // iPXE's DHCP of nodes whose leases the database holds: answered from memory (the lease store's outage
            // rules); the IpxeDhcp stage each reaches waits in its server's backlog.
            foreach (var (mac, boot, relay, server) in nodes)
            {
                var ack = Enumerable.Range(0, Attempts).Select(_ => relay.Bind(mac, boot.AsIpxe())).FirstOrDefault(r => r?.MessageType == DhcpMessageType.Ack);
                Assert.True(ack is not null, $"{mac}: iPXE got no ACK during the outage\n{Tail(server.StandardOutput)}");
            }

            Assert.False(serverA.HasExited || serverB.HasExited, "a server stopped during the outage");

            // Each server tries to write what it saw (about once a second) and reports that it cannot.
            foreach (var server in new[] { serverA, serverB })
            {
                Assert.True(WaitForOutput(server, "events unavailable"), $"no 'events unavailable' in the log\n{Tail(server.StandardOutput)}");
            }
        }
        finally
        {
            cluster.Start();
        }

        // After the restart, with nothing restarted on our side, every stage reached during the outage is in the store.
        WaitForStages(console, nodes.ToDictionary(n => n.Mac, _ => BootStage.IpxeDhcp));
        foreach (var server in new[] { serverA, serverB })
        {
            Assert.True(
                WaitForOutput(server, "events recovered"),
                $"no 'events recovered' in the log\n{Tail(server.StandardOutput)}");
            Assert.DoesNotContain("events overflowed", server.StandardOutput, StringComparison.Ordinal);
        }
    }

    /// <summary>Binds <paramref name="mac"/> through <paramref name="relay"/> (a NAK of a lost race costs one attempt).</summary>
    private static void Bind(RelayDhcpClient relay, PhysicalAddress mac, BootClientIdentity boot, LabProcess server)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (relay.Bind(mac, boot)?.MessageType == DhcpMessageType.Ack)
            {
                return;
            }
        }

        Assert.Fail($"{mac} was not bound through {relay.Server}\n{Tail(server.StandardOutput)}\n{server.StandardError}");
    }

    /// <summary>
    /// Reads the store until every node has reached its expected stage (bounded by <see cref="StoreWait"/>: events are
    /// written in batches about a second apart, later after an outage); the fleet-wide timelines then.
    /// </summary>
    private static Dictionary<PhysicalAddress, NodeBootTimeline> WaitForStages(IBootEventStore store, Dictionary<PhysicalAddress, BootStage> expected)
    {
        var deadline = DateTime.UtcNow + StoreWait;
        Dictionary<PhysicalAddress, NodeBootTimeline> timelines;
        while (true)
        {
            timelines = FleetTimeline.Fold(store.ReadEvents()).ToDictionary(t => t.MacAddress);
            var missing = expected.Where(e => !timelines.TryGetValue(e.Key, out var t) || !t.HasReached(e.Value)).ToList();
            if (missing.Count == 0)
            {
                return timelines;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{missing.Count} node(s) not at their stage in the store within {StoreWait}: {string.Join(", ", missing.Take(5).Select(m => $"{m.Key} expected {m.Value}, at {(timelines.TryGetValue(m.Key, out var t) ? t.Stage : BootStage.None)}"))}");
            }

            Thread.Sleep(250);
        }
    }

    private static Dictionary<PhysicalAddress, InventoryNode> WaitForInventory(IBootEventStore store, HashSet<PhysicalAddress> macs, HashSet<PhysicalAddress> lastSeenBy, string server)
    {
        var deadline = DateTime.UtcNow + StoreWait;
        while (true)
        {
            var rows = store.ReadNodes().ToDictionary(n => n.MacAddress);
            if (macs.All(rows.ContainsKey) && lastSeenBy.All(m => rows[m].LastServer == server))
            {
                Assert.Equal(macs.Count, rows.Count);
                return rows;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the inventory has {rows.Count} of {macs.Count} nodes after {StoreWait}");
            Thread.Sleep(250);
        }
    }

    private static bool WaitForOutput(LabProcess server, string text)
    {
        var deadline = DateTime.UtcNow + StoreWait;
        while (!server.StandardOutput.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(250);
        }

        return server.StandardOutput.Contains(text, StringComparison.Ordinal);
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];
}
