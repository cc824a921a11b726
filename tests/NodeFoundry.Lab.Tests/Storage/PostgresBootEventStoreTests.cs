using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Infrastructure;
using NodeFoundry.Timeline;
using Npgsql;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// The shared boot-event and inventory store against a real PostgreSQL (the collection's throwaway cluster): the
/// v1 → v2 migration, several servers' events merged for a reader, the inventory upsert, and the recorder's bounded
/// backlog through an outage.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBootEventStoreTests(PostgresCluster cluster)
{
    private const string ServerA = "host/192.0.2.1";
    private const string ServerB = "host/192.0.2.4";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_version_1_database_is_migrated_to_version_2_and_keeps_its_leases()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_v1"));
        using (var v1 = NpgsqlDataSource.Create(db))
        {
            // What a server of schema version 1 left: its migration, its row in nf_schema_version, a lease.
            Assert.Equal(0, PostgresSchema.Migrate(v1, "v1-server", targetVersion: 1));
            Execute(db, "INSERT INTO nf_lease VALUES ('198.18.0.10', '02:4e:51:00:00:01', 1, now(), now() + interval '1 hour', 'racks/normal', 'old', 'v1-server', nextval('nf_lease_revision'))");
        }

        Assert.Null(Query(db, "SELECT to_regclass('nf_boot_event')::text").Single());

        using (var events = PostgresBootEventStore.Open(db, "v2-server"))
        {
            Assert.Equal(1, events.SchemaVersionFound);
            events.Write([new BootEventRecord(T0, Mac(1), IPAddress.Parse("198.18.0.10"), BootStage.Bound, "v2-server", "dhcp granted")], []);
            Assert.Equal(BootStage.Bound, Assert.Single(events.ReadEvents(Mac(1))).Stage);
        }

        Assert.Equal(["1 v1-server", "2 v2-server"], Query(db, "SELECT version || ' ' || applied_by FROM nf_schema_version ORDER BY version"));
        using var leases = PostgresLeaseStore.Open(db, "v2-server");
        Assert.Equal(2, leases.SchemaVersionFound);
        var lease = Assert.Single(leases.ReadLeases());
        Assert.Equal(Mac(1), lease.MacAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.10"), lease.Address);
    }

    [Fact]
    public void A_reader_merges_every_servers_events_by_time_and_the_inventory_merges_their_sightings()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_events"));
        using var serverA = PostgresBootEventStore.Open(db, ServerA);
        using var serverB = PostgresBootEventStore.Open(db, ServerB);
        using var console = PostgresBootEventStore.Open(db, "console");
        var uuid = Guid.NewGuid();
        var firmwareAddress = IPAddress.Parse("198.18.0.20");
        var ipxeAddress = IPAddress.Parse("198.18.0.21");

        // B writes first, though what it saw happened later: the reader orders by when, not by who wrote first.
        serverB.Write(
            [Event(3, Mac(1), ipxeAddress, BootStage.IpxeDhcp, ServerB), Event(4, Mac(1), ipxeAddress, BootStage.ScriptFetched, ServerB), Event(1, Mac(2), null, BootStage.Offered, ServerB)],
            [Sighting(Mac(1), 3, 4, ServerB, ipxeAddress)]);
        serverA.Write(
            [Event(1, Mac(1), firmwareAddress, BootStage.Offered, ServerA), Event(2, Mac(1), firmwareAddress, BootStage.Bound, ServerA)],
            [Sighting(Mac(1), 1, 2, ServerA, firmwareAddress) with { Uuid = uuid, Architecture = 7, HostName = "node-01" }]);

        // A late sighting from A (older than B's) fills gaps but does not take the row back.
        serverA.Write([], [Sighting(Mac(1), 2, 2, ServerA, IPAddress.Parse("198.18.0.99")) with { InstalledAt = null }]);
        serverB.Write([Event(9, Mac(1), ipxeAddress, BootStage.Installed, ServerB)], [Sighting(Mac(1), 9, 9, ServerB, ipxeAddress) with { InstalledAt = At(9) }]);

        var events = console.ReadEvents(Mac(1));
        Assert.Equal([BootStage.Offered, BootStage.Bound, BootStage.IpxeDhcp, BootStage.ScriptFetched, BootStage.Installed], events.Select(e => e.Stage));
        Assert.Equal([ServerA, ServerA, ServerB, ServerB, ServerB], events.Select(e => e.Server));
        Assert.Equal(5 + 1, console.ReadEvents().Count);

        var node = FleetTimeline.Fold(console.ReadEvents(), inventory: console.ReadNodes()).Single(t => t.MacAddress.Equals(Mac(1)));
        Assert.Equal(BootStage.Installed, node.Stage);
        Assert.Equal(At(1), node.At(BootStage.Offered));
        Assert.Equal(At(3), node.At(BootStage.IpxeDhcp));
        Assert.Equal(ipxeAddress, node.IPAddress);
        Assert.Equal("node-01", node.NodeName);
        Assert.Equal(Boot.FirmwareKind.EfiX64, node.Firmware);

        var row = console.ReadNodes().Single(n => n.MacAddress.Equals(Mac(1)));
        Assert.Equal(uuid, row.Uuid);
        Assert.Equal((ushort)7, row.Architecture);
        Assert.Equal("node-01", row.HostName);
        Assert.Equal(ipxeAddress, row.LastIPAddress);
        Assert.Equal(ServerB, row.LastServer);
        Assert.Equal(At(1), row.FirstSeen);
        Assert.Equal(At(9), row.LastSeen);
        Assert.Equal(At(9), row.InstalledAt);

        // The embedded store merges by the same rules as the database.
        using var memory = new MemoryBootEventStore();
        memory.Write([], [Sighting(Mac(1), 3, 4, ServerB, ipxeAddress)]);
        memory.Write([], [Sighting(Mac(1), 1, 2, ServerA, firmwareAddress) with { Uuid = uuid, Architecture = 7, HostName = "node-01" }]);
        memory.Write([], [Sighting(Mac(1), 2, 2, ServerA, IPAddress.Parse("198.18.0.99"))]);
        memory.Write([], [Sighting(Mac(1), 9, 9, ServerB, ipxeAddress) with { InstalledAt = At(9) }]);
        Assert.Equal(row, memory.ReadNodes().Single());
    }

    [Fact]
    public void Through_an_outage_the_recorder_keeps_a_bounded_backlog_reports_the_overflow_and_writes_the_rest_after()
    {
        const int Bound = 50;
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_backlog"));
        using var console = PostgresBootEventStore.Open(db, "console");
        var reports = new ConcurrentQueue<BootEventStoreEvent>();
        using var recorder = new BootEventRecorder(
            () => PostgresBootEventStore.Open(db, "server"),
            ServerA,
            new CollectingSink(reports),
            new BootEventRecorderOptions { MaxBacklog = Bound, MaxBatch = 20, RetryFirstDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(50) });
        var uuid = Guid.NewGuid();

        for (var i = 0; i < 30; i++)
        {
            recorder.Publish(Stage(i, Mac(100 + i)));
        }

        Assert.True(recorder.FlushAvailable());
        Assert.Equal(30, console.ReadEvents().Count);

        cluster.Stop();
        try
        {
            // 80 more while the database is down: the backlog keeps the newest 50 and counts the 30 it let go.
            for (var i = 30; i < 110; i++)
            {
                recorder.Publish(Stage(i, Mac(100 + i)));
            }

            recorder.Publish(new LeaseEvent { Kind = LeaseEventKind.Granted, Timestamp = At(200), MacAddress = Mac(7), Address = IPAddress.Parse("198.18.0.7"), ClientUuid = uuid, ClientArchitecture = 0 });
            Assert.False(recorder.FlushAvailable());
            Assert.True(recorder.IsUnavailable);
            Assert.Equal(Bound, recorder.Backlog);
            Assert.Equal(30, recorder.Dropped);
            Assert.Contains(reports, r => r.Kind == BootEventStoreEventKind.Unavailable);
            var overflow = Assert.Single(reports, r => r.Kind == BootEventStoreEventKind.Overflowed);
            Assert.Equal(30, overflow.Dropped);
        }
        finally
        {
            cluster.Start();
        }

        // Bounded: the recorder's back-off is at most 50 ms here; a restarted cluster answers within seconds.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!recorder.FlushAvailable() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.False(recorder.IsUnavailable, "the recorder did not write its backlog within 60 s of PostgreSQL's restart");
        Assert.Equal(0, recorder.Backlog);
        var written = console.ReadEvents();
        Assert.Equal(30 + Bound, written.Count);
        Assert.Equal(Enumerable.Range(0, 30).Concat(Enumerable.Range(110 - Bound, Bound)).Select(i => Mac(100 + i)), written.Select(e => e.MacAddress));
        var recovered = Assert.Single(reports, r => r.Kind == BootEventStoreEventKind.Recovered);
        Assert.Equal(30, recovered.Dropped);
        var node = Assert.Single(console.ReadNodes());
        Assert.Equal(uuid, node.Uuid);
        Assert.Equal((ushort)0, node.Architecture);
    }

    [Fact]
    public void Pruning_deletes_every_servers_events_older_than_the_cut_in_slices_and_keeps_the_inventory()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_prune"));
        using var serverA = PostgresBootEventStore.Open(db, ServerA);
        using var serverB = PostgresBootEventStore.Open(db, ServerB);
        var address = IPAddress.Parse("198.18.0.30");

        // 25,000 old events (more than one 10,000-row slice), from both servers, written after some new ones.
        serverA.Write([Event(100_000, Mac(1), address, BootStage.Installed, ServerA)], [Sighting(Mac(1), 1, 100_000, ServerA, address)]);
        Execute(db, $"INSERT INTO nf_boot_event (at, mac, ip, stage, server, detail) SELECT '{T0:O}'::timestamptz + g * interval '1 second', '02:4e:51:00:00:02', NULL, 'Offered', CASE WHEN g % 2 = 0 THEN '{ServerA}' ELSE '{ServerB}' END, NULL FROM generate_series(0, 24999) g");
        serverB.Write([Event(100_001, Mac(2), address, BootStage.Bound, ServerB)], []);
        Assert.Equal(25_002, serverA.ReadEvents().Count);

        // The bound stops it part-way (the rest goes at the next interval); then everything before the cut goes.
        Assert.Equal(12_000, serverB.PruneEvents(At(50_000), maxEvents: 12_000));
        Assert.Equal(13_002, serverA.ReadEvents().Count);
        Assert.Equal(13_000, serverA.PruneEvents(At(50_000), maxEvents: 1_000_000));
        Assert.Equal(0, serverA.PruneEvents(At(50_000), maxEvents: 1_000_000));

        var left = serverB.ReadEvents();
        Assert.Equal([(Mac(1), BootStage.Installed), (Mac(2), BootStage.Bound)], left.Select(e => (e.MacAddress, e.Stage)));
        Assert.Equal(Mac(1), Assert.Single(serverB.ReadNodes()).MacAddress); // the inventory row stays
    }

    private static BootStageEvent Stage(int second, PhysicalAddress mac) => new()
    {
        Timestamp = At(second),
        MacAddress = mac,
        Stage = BootStage.Offered,
        Cause = "dhcp offered",
        Timeline = new NodeBootTimeline { MacAddress = mac, Stage = BootStage.Offered, Reached = new Dictionary<BootStage, DateTimeOffset>() },
    };

    private static BootEventRecord Event(int second, PhysicalAddress mac, IPAddress? address, BootStage stage, string server) =>
        new(At(second), mac, address, stage, server, $"{stage} seen by {server}");

    private static NodeSighting Sighting(PhysicalAddress mac, int first, int last, string server, IPAddress address) => new()
    {
        MacAddress = mac,
        FirstSeen = At(first),
        LastSeen = At(last),
        Server = server,
        IPAddress = address,
    };

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    private static PhysicalAddress Mac(int n) => new([0x02, 0x4e, 0x51, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static List<string?> Query(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string?>();
        while (reader.Read())
        {
            rows.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        }

        return rows;
    }

    private sealed class CollectingSink(ConcurrentQueue<BootEventStoreEvent> reports) : IBootEventSink
    {
        public void Publish(BootEvent bootEvent)
        {
            if (bootEvent is BootEventStoreEvent report)
            {
                reports.Enqueue(report);
            }
        }
    }
}
