using System.Net.NetworkInformation;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Power;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Timeline;

/// <summary>
/// Waiting on a fleet-wide view that only a poll can see (another server's progress is in the shared store): counts
/// and named nodes, a store that is down for some polls, and the timeout's report. Time is virtual: each pause between
/// polls moves the clock by exactly what it asked for, so the tests run at once and read the clock afterwards.
/// </summary>
public sealed class FleetStageWaitTests
{
    private static readonly DateTimeOffset T0 = new VirtualClock().Start;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_count_completes_at_the_first_poll_that_sees_enough_nodes_at_the_stage_or_later()
    {
        var time = new VirtualClock();
        var views = new Queue<IReadOnlyList<NodeBootTimeline>>([
            [Node(1, BootStage.Installed)],
            [Node(1, BootStage.Installed), Node(2, BootStage.Kernel)],
            [Node(1, BootStage.Installed), Node(2, BootStage.Installed), Node(3, BootStage.Bound)],
        ]);
        int reads = 0;
        var wait = FleetStageWait.WaitAsync(() => { reads++; return views.Dequeue(); }, BootStage.Installed, 2, null, TimeSpan.FromMinutes(1), Poll, time);

        var reached = await wait.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, reads);
        Assert.Equal(T0 + (2 * Poll), time.GetUtcNow()); // read at 0, 2 and 4 s
        Assert.Equal([Mac(1), Mac(2)], reached.Select(t => t.MacAddress).Order(MacOrder.Instance));
    }

    [Fact]
    public async Task Named_nodes_wait_through_a_store_outage_and_ignore_other_nodes()
    {
        var time = new VirtualClock();
        int reads = 0;
        IReadOnlyList<NodeBootTimeline> Read()
        {
            reads++;
            return reads switch
            {
                1 => [Node(1, BootStage.Installed), Node(9, BootStage.Installed)],
                2 or 3 => throw new BootEventStoreUnavailableException("down for the test"),
                _ => [Node(1, BootStage.Installed), Node(2, BootStage.Installed), Node(9, BootStage.Installed)],
            };
        }

        var wait = FleetStageWait.WaitAsync(Read, BootStage.Installed, 0, [Mac(1), Mac(2)], TimeSpan.FromMinutes(1), Poll, time);
        var reached = await wait.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(4, reads);
        Assert.Equal([Mac(1), Mac(2)], reached.Select(t => t.MacAddress).Order(MacOrder.Instance));
    }

    [Fact]
    public async Task A_timeout_names_what_made_it_what_did_not_and_the_store_error_of_the_last_try()
    {
        var time = new VirtualClock();
        int reads = 0;
        IReadOnlyList<NodeBootTimeline> Read() => ++reads < 3
            ? [Node(1, BootStage.Installed), Node(2, BootStage.Initrd)]
            : throw new BootEventStoreUnavailableException("connection refused");

        var wait = FleetStageWait.WaitAsync(Read, BootStage.Installed, 0, [Mac(1), Mac(2), Mac(3)], TimeSpan.FromSeconds(5), Poll, time);
        var ex = await Assert.ThrowsAsync<BootStageTimeoutException>(() => wait.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal([Mac(1)], ex.Reached.Select(t => t.MacAddress));
        Assert.Equal([(Mac(2), BootStage.Initrd), (Mac(3), BootStage.None)], ex.Missing.Select(t => (t.MacAddress, t.Stage)));
        Assert.Contains("1 of 3 node(s) reached Installed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, reads); // at 0, 2, 4 and 5 s: the last poll is at the deadline, not a whole interval later
        Assert.Equal(T0.AddSeconds(5), time.GetUtcNow());
    }

    [Fact]
    public async Task No_named_nodes_is_done_at_once()
    {
        var result = await FleetStageWait.WaitAsync(() => throw new InvalidOperationException("not read"), BootStage.Installed, 0, [], TimeSpan.FromSeconds(1), Poll);
        Assert.Empty(result);
    }

    private static NodeBootTimeline Node(int n, BootStage stage) => new()
    {
        MacAddress = Mac(n),
        Stage = stage,
        Reached = new Dictionary<BootStage, DateTimeOffset> { [stage] = T0.AddSeconds(n) },
        LastSeen = T0.AddSeconds(n),
    };

    private static PhysicalAddress Mac(int n) => new([0x02, 0x4e, 0x46, 0x00, 0x00, (byte)n]);

    private sealed class MacOrder : IComparer<PhysicalAddress>
    {
        public static readonly MacOrder Instance = new();

        public int Compare(PhysicalAddress? x, PhysicalAddress? y) => x!.GetAddressBytes().AsSpan().SequenceCompareTo(y!.GetAddressBytes());
    }
}
