using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Http;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Dhcp.Leases;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// How a server's boot events reach the shared store: queued by Publish (no I/O), written in batches, kept through an
/// outage up to a bound, reported once per change. The store here is the in-memory one, taken down on demand; the
/// same recorder against a real PostgreSQL is in the lab tests (Storage/PostgresBootEventStoreTests).
/// </summary>
public sealed class BootEventRecorderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Events_wait_until_a_flush_which_writes_them_in_batches_of_at_most_MaxBatch()
    {
        var store = new SwitchableStore();
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", options: new BootEventRecorderOptions { MaxBatch = 10 });
        for (var i = 0; i < 25; i++)
        {
            recorder.Publish(Stage(i, Mac(i)));
        }

        Assert.Empty(store.Batches);
        Assert.Equal(25, recorder.Backlog);

        Assert.True(recorder.FlushAvailable());
        Assert.Equal([10, 10, 5], store.Batches);
        Assert.Equal(25, recorder.Written);
        Assert.Equal(0, recorder.Backlog);
        Assert.Equal(Enumerable.Range(0, 25).Select(Mac), store.Inner.ReadEvents().Select(e => e.MacAddress));
        Assert.All(store.Inner.ReadEvents(), e => Assert.Equal("host/192.0.2.1", e.Server));
    }

    [Fact]
    public void Lease_phone_home_and_discovery_events_become_one_inventory_row_per_node_and_other_events_none()
    {
        var store = new SwitchableStore();
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1");
        var uuid = Guid.NewGuid();
        var firmwareAddress = IPAddress.Parse("192.0.2.150");
        var ipxeAddress = IPAddress.Parse("192.0.2.11");

        recorder.Publish(new LeaseEvent { Kind = LeaseEventKind.Offered, Timestamp = At(0), MacAddress = Mac(1), Address = firmwareAddress, ClientArchitecture = 7, ClientUuid = uuid });
        recorder.Publish(new LeaseEvent { Kind = LeaseEventKind.Granted, Timestamp = At(1), MacAddress = Mac(1), Address = ipxeAddress, ClientArchitecture = 9, IsIpxe = true, HostName = "node01" });
        recorder.Publish(new LeaseEvent { Kind = LeaseEventKind.Ignored, Timestamp = At(2), MacAddress = Mac(2) });
        recorder.Publish(new TransferEvent { Kind = TransferEventKind.Completed, Timestamp = At(3), Client = new IPEndPoint(ipxeAddress, 2070), FileName = "undionly.kpxe" });
        recorder.Publish(new PhoneHomeEvent { Timestamp = At(9), MacAddress = Mac(1), IPAddress = ipxeAddress, NodeName = "node01" });
        recorder.Publish(new NodeDiscoveredEvent { Timestamp = At(4), MacAddress = Mac(3), IPAddress = IPAddress.Parse("192.0.2.160"), Uuid = uuid.ToString("D") });
        Assert.True(recorder.FlushAvailable());

        Assert.Empty(store.Inner.ReadEvents()); // no stage events published: no timeline rows
        var nodes = store.Inner.ReadNodes();
        Assert.Equal([Mac(1), Mac(3)], nodes.Select(n => n.MacAddress));
        var node = nodes[0];
        Assert.Equal(uuid, node.Uuid);
        Assert.Equal((ushort)7, node.Architecture); // the firmware's, not iPXE's build
        Assert.Equal("node01", node.HostName);
        Assert.Equal(ipxeAddress, node.LastIPAddress);
        Assert.Equal(At(0), node.FirstSeen);
        Assert.Equal(At(9), node.LastSeen);
        Assert.Equal(At(9), node.InstalledAt);
        Assert.Equal(uuid, nodes[1].Uuid);
    }

    [Fact]
    public void Through_an_outage_the_backlog_keeps_the_newest_events_up_to_its_bound_and_reports_once_per_change()
    {
        var store = new SwitchableStore();
        var time = new FakeTimeProvider(T0);
        var reports = new ReportSink();
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", reports, new BootEventRecorderOptions { MaxBacklog = 5 }, time);

        store.Down = true;
        for (var i = 0; i < 8; i++)
        {
            recorder.Publish(Stage(i, Mac(i)));
        }

        Assert.False(recorder.FlushAvailable());
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(recorder.FlushAvailable()); // a second failure is no new report
        Assert.False(recorder.FlushAvailable()); // too soon after it: not even tried
        Assert.Equal(2, store.FailedWrites);
        Assert.True(recorder.IsUnavailable);
        Assert.Equal(5, recorder.Backlog);
        Assert.Equal(3, recorder.Dropped);
        Assert.Equal([BootEventStoreEventKind.Unavailable, BootEventStoreEventKind.Overflowed], reports.Kinds);
        Assert.Equal(3, reports.Reports[1].Dropped);
        var metrics = Routes.MetricsTests.ParseExposition(new Metrics.MetricsRegistry().AddBootEvents(recorder).Render());
        Assert.Equal(0, metrics["nodefoundry_boot_events_store_up"]);
        Assert.Equal(5, metrics["nodefoundry_boot_events_backlog"]);
        Assert.Equal(3, metrics["nodefoundry_boot_events_dropped_total"]);

        store.Down = false;
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(recorder.FlushAvailable());
        Assert.False(recorder.IsUnavailable);
        Assert.Equal(Enumerable.Range(3, 5).Select(Mac), store.Inner.ReadEvents().Select(e => e.MacAddress));
        Assert.Equal([BootEventStoreEventKind.Unavailable, BootEventStoreEventKind.Overflowed, BootEventStoreEventKind.Recovered], reports.Kinds);
        Assert.Equal(0, reports.Reports[2].Backlog);
        Assert.Equal(3, reports.Reports[2].Dropped);
    }

    [Fact]
    public void A_failed_write_loses_no_sighting_and_merges_it_with_what_came_meanwhile()
    {
        var store = new SwitchableStore { Down = true };
        var time = new FakeTimeProvider(T0);
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", time: time);
        var uuid = Guid.NewGuid();

        recorder.Publish(new LeaseEvent { Kind = LeaseEventKind.Granted, Timestamp = At(0), MacAddress = Mac(1), Address = IPAddress.Parse("192.0.2.150"), ClientUuid = uuid, ClientArchitecture = 0 });
        Assert.False(recorder.FlushAvailable());
        recorder.Publish(new PhoneHomeEvent { Timestamp = At(5), MacAddress = Mac(1), IPAddress = IPAddress.Parse("192.0.2.11"), NodeName = "node01" });

        store.Down = false;
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(recorder.FlushAvailable());
        var node = Assert.Single(store.Inner.ReadNodes());
        Assert.Equal(uuid, node.Uuid);
        Assert.Equal((ushort)0, node.Architecture);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), node.LastIPAddress);
        Assert.Equal(At(0), node.FirstSeen);
        Assert.Equal(At(5), node.InstalledAt);
    }

    [Fact]
    public async Task Publish_never_waits_for_a_write_in_progress()
    {
        var store = new SwitchableStore();
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", options: new BootEventRecorderOptions { MaxBatch = 10 });
        for (var i = 0; i < 10; i++)
        {
            recorder.Publish(Stage(i, Mac(i)));
        }

        store.Hold.Reset();
        var flushing = Task.Run(recorder.FlushAvailable);
        Assert.True(store.Writing.Wait(TimeSpan.FromSeconds(30)), "the flush never reached the store");

        // The write is stuck in the store; the packet loops' Publish goes on regardless.
        var publishing = Task.Run(() =>
        {
            for (var i = 10; i < 1_010; i++)
            {
                recorder.Publish(Stage(i, Mac(i)));
            }
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(flushing.IsCompleted);

        store.Hold.Set();
        Assert.True(await flushing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1_010, store.Inner.ReadEvents().Count);
    }

    [Fact]
    public async Task Stopping_the_run_writes_what_is_still_queued()
    {
        var store = new SwitchableStore();
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", options: new BootEventRecorderOptions { FlushInterval = TimeSpan.FromHours(1) });
        using var stop = new CancellationTokenSource();
        var run = recorder.RunAsync(stop.Token);
        recorder.Publish(Stage(0, Mac(0)));
        recorder.Publish(Stage(1, Mac(1)));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, store.Inner.ReadEvents().Count);
        Assert.Same(store, recorder.Store);
    }

    [Fact]
    public void Events_past_the_retention_are_pruned_once_per_interval_and_a_failed_prune_waits_for_the_next()
    {
        var store = new SwitchableStore();
        var time = new FakeTimeProvider(T0.AddDays(2));
        var options = new BootEventRecorderOptions { Retention = TimeSpan.FromDays(1), PruneInterval = TimeSpan.FromHours(1) };
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", options: options, time: time);
        store.Inner.Write([Record(T0, Mac(1)), Record(T0.AddDays(1).AddMinutes(30), Mac(2)), Record(T0.AddDays(2), Mac(3))], []);

        Assert.Equal(0, recorder.PruneIfDue()); // not opened yet: nothing to prune
        Assert.True(recorder.FlushAvailable());
        Assert.Equal(1, recorder.PruneIfDue()); // older than a day: only Mac(1)'s
        Assert.Equal([T0.AddDays(1)], store.Prunes);
        Assert.Equal([Mac(2), Mac(3)], store.Inner.ReadEvents().Select(e => e.MacAddress));

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, recorder.PruneIfDue()); // within the interval: not tried
        Assert.Single(store.Prunes);

        time.Advance(TimeSpan.FromMinutes(1));
        store.Down = true;
        Assert.Equal(0, recorder.PruneIfDue()); // fails quietly, and counts as this interval's
        store.Down = false;
        Assert.Equal(0, recorder.PruneIfDue());

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, recorder.PruneIfDue()); // now Mac(2)'s is more than a day old
        Assert.Equal([Mac(3)], store.Inner.ReadEvents().Select(e => e.MacAddress));
        Assert.Equal(2, recorder.Pruned);
        var metrics = Routes.MetricsTests.ParseExposition(new Metrics.MetricsRegistry().AddBootEvents(recorder).Render());
        Assert.Equal(2, metrics["nodefoundry_boot_events_pruned_total"]);
    }

    [Fact]
    public void Without_a_retention_nothing_is_pruned()
    {
        var store = new SwitchableStore();
        var time = new FakeTimeProvider(T0.AddYears(1));
        using var recorder = new BootEventRecorder(() => store, "host/192.0.2.1", options: new BootEventRecorderOptions { Retention = null }, time: time);
        store.Inner.Write([Record(T0, Mac(1))], []);
        Assert.True(recorder.FlushAvailable());
        Assert.Equal(0, recorder.PruneIfDue());
        Assert.Empty(store.Prunes);
        Assert.Single(store.Inner.ReadEvents());
    }

    [Fact]
    public void The_memory_store_prunes_by_time_whatever_the_write_order_and_at_most_the_bound()
    {
        var store = new MemoryBootEventStore();
        store.Write([Record(T0.AddMinutes(5), Mac(1)), Record(T0, Mac(2)), Record(T0.AddMinutes(1), Mac(3)), Record(T0.AddMinutes(10), Mac(4))], []);
        Assert.Equal(2, store.PruneEvents(T0.AddMinutes(6), maxEvents: 2));
        Assert.Equal([Mac(3), Mac(4)], store.ReadEvents().Select(e => e.MacAddress));
        Assert.Equal(1, store.PruneEvents(T0.AddMinutes(6), maxEvents: 2));
        Assert.Equal([Mac(4)], store.ReadEvents().Select(e => e.MacAddress));
    }

    private static BootEventRecord Record(DateTimeOffset at, PhysicalAddress mac) =>
        new(at, mac, IPAddress.Parse("192.0.2.150"), BootStage.Bound, "host/192.0.2.1", "dhcp granted");

    private static BootStageEvent Stage(int second, PhysicalAddress mac) => new()
    {
        Timestamp = At(second),
        MacAddress = mac,
        IPAddress = IPAddress.Parse("192.0.2.150"),
        Stage = BootStage.Bound,
        Cause = "dhcp granted",
        Timeline = new NodeBootTimeline { MacAddress = mac, Stage = BootStage.Bound, Reached = new Dictionary<BootStage, DateTimeOffset>() },
    };

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    private static PhysicalAddress Mac(int n) => new([0x02, 0x4e, 0x46, 0x00, (byte)(n >> 8), (byte)n]);

    /// <summary>The in-memory store, which can be taken down (an outage) or held in the middle of a write.</summary>
    private sealed class SwitchableStore : IBootEventStore
    {
        public MemoryBootEventStore Inner { get; } = new();

        public bool Down { get; set; }

        public int FailedWrites { get; private set; }

        public List<int> Batches { get; } = [];

        public ManualResetEventSlim Hold { get; } = new(true);

        public ManualResetEventSlim Writing { get; } = new(false);

        public string Description => "switchable";

        public void Write(IReadOnlyList<BootEventRecord> events, IReadOnlyList<NodeSighting> sightings)
        {
            Writing.Set();
            if (!Hold.Wait(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("the test never released the write");
            }

            if (Down)
            {
                FailedWrites++;
                throw new BootEventStoreUnavailableException("down for the test");
            }

            Batches.Add(events.Count);
            Inner.Write(events, sightings);
        }

        public IReadOnlyList<BootEventRecord> ReadEvents(PhysicalAddress? macAddress = null) => Inner.ReadEvents(macAddress);

        public IReadOnlyList<InventoryNode> ReadNodes() => Inner.ReadNodes();

        public List<DateTimeOffset> Prunes { get; } = [];

        public int PruneEvents(DateTimeOffset before, int maxEvents)
        {
            if (Down)
            {
                throw new BootEventStoreUnavailableException("down for the test");
            }

            Prunes.Add(before);
            return Inner.PruneEvents(before, maxEvents);
        }

        public void Dispose() => Inner.Dispose();
    }

    private sealed class ReportSink : IBootEventSink
    {
        public List<BootEventStoreEvent> Reports { get; } = [];

        public List<BootEventStoreEventKind> Kinds => [.. Reports.Select(r => r.Kind)];

        public void Publish(BootEvent bootEvent)
        {
            if (bootEvent is BootEventStoreEvent report)
            {
                Reports.Add(report);
            }
        }
    }
}
