using System.Collections.Concurrent;
using NodeFoundry.Power;

namespace NodeFoundry.Tests.Power;

/// <summary>Waves, turns, stagger, throttle and failure isolation, with in-memory BMCs and a fake clock.</summary>
public sealed class PowerCycleOrchestratorTests
{
    [Theory]
    [InlineData(7, 3, new[] { 3, 3, 1 })]
    [InlineData(6, 3, new[] { 3, 3 })]
    [InlineData(5, 0, new[] { 5 })]
    [InlineData(2, 10, new[] { 2 })]
    public void Waves_split_the_fleet_in_order(int count, int batchSize, int[] sizes)
    {
        IReadOnlyList<IReadOnlyList<int>> waves = PowerCycleOrchestrator.Waves(count, batchSize);

        Assert.Equal(sizes, waves.Select(w => w.Count));
        Assert.Equal(Enumerable.Range(0, count), waves.SelectMany(w => w));
    }

    [Fact]
    public async Task Power_commands_follow_the_node_order_even_when_later_BMCs_answer_first()
    {
        var log = new ConcurrentQueue<string>();
        var clock = new VirtualClock();
        // Connections complete in reverse order: node 3 first, node 0 last.
        TaskCompletionSource[] connected = [.. Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        var orchestrator = new PowerCycleOrchestrator(
            async (endpoint, _, ct) =>
            {
                int i = int.Parse(endpoint.Host[1..], System.Globalization.CultureInfo.InvariantCulture);
                log.Enqueue($"{endpoint.Host} connecting");
                await connected[i].Task.WaitAsync(ct);
                return new FakeBmcClient(endpoint, log);
            },
            new PowerCycleOptions { BatchSize = 4, Stagger = TimeSpan.FromSeconds(5), MaxConcurrentSessions = 4 },
            clock);

        Task<List<PowerCycleResult>> run = CollectAsync(orchestrator.RunAsync(Requests(4, PowerAction.Cycle), null, CancellationToken.None));
        await WaitUntilAsync(() => log.Count(l => l.EndsWith("connecting", StringComparison.Ordinal)) == 4);
        for (int i = 3; i >= 0; i--)
        {
            connected[i].SetResult();
        }

        List<PowerCycleResult> results = await run;

        Assert.Equal(["b0 Cycle", "b1 Cycle", "b2 Cycle", "b3 Cycle"], log.Where(l => l.EndsWith("Cycle", StringComparison.Ordinal)));
        Assert.Equal(
            [clock.Start, clock.Start.AddSeconds(5), clock.Start.AddSeconds(10), clock.Start.AddSeconds(15)],
            results.OrderBy(r => r.NodeName, StringComparer.Ordinal).Select(r => r.PowerCommandAt!.Value));
        Assert.All(results, r => Assert.Equal((PowerState.Off, PowerState.On, BootDevice.Pxe), (r.PowerBefore, r.PowerAfter, r.BootDeviceSet)));
    }

    [Fact]
    public async Task A_node_that_fails_before_its_turn_passes_it_on_without_letting_a_later_node_overtake()
    {
        var log = new ConcurrentQueue<string>();
        var release0 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var orchestrator = new PowerCycleOrchestrator(
            async (endpoint, _, ct) =>
            {
                switch (endpoint.Host)
                {
                    case "b0":
                        await release0.Task.WaitAsync(ct);
                        break;
                    case "b1":
                        log.Enqueue("b1 refused");
                        throw new BmcException(endpoint, BmcFailure.Transport, "connection refused");
                }

                return new FakeBmcClient(endpoint, log);
            },
            new PowerCycleOptions { BatchSize = 0, Stagger = TimeSpan.FromSeconds(1) },
            new VirtualClock());

        Task<List<PowerCycleResult>> run = CollectAsync(orchestrator.RunAsync(Requests(3, PowerAction.On), null, CancellationToken.None));
        await WaitUntilAsync(() => log.Contains("b1 refused"));
        release0.SetResult();
        List<PowerCycleResult> results = await run;

        Assert.Equal(["b0 On", "b2 On"], log.Where(l => l.EndsWith(" On", StringComparison.Ordinal)));
        PowerCycleResult broken = results.Single(r => r.NodeName == "node1");
        Assert.Equal(BmcFailure.Transport, broken.Failure);
        Assert.Equal("connect: b1:623: connection refused", broken.Error!.Replace("ipmi://", string.Empty, StringComparison.Ordinal));
        Assert.Null(broken.PowerCommandAt);
    }

    [Fact]
    public async Task Sessions_are_throttled_and_waves_do_not_overlap()
    {
        var log = new ConcurrentQueue<string>();
        int open = 0;
        int peak = 0;
        var orchestrator = new PowerCycleOrchestrator(
            async (endpoint, _, _) =>
            {
                int now = Interlocked.Increment(ref open);
                InterlockedMax(ref peak, now);
                await Task.Yield();
                return new ClosingCounter(new FakeBmcClient(endpoint, log), () => Interlocked.Decrement(ref open));
            },
            new PowerCycleOptions { BatchSize = 5, Stagger = TimeSpan.Zero, MaxConcurrentSessions = 2 },
            new VirtualClock());

        List<PowerCycleResult> results = await CollectAsync(orchestrator.RunAsync(Requests(12, PowerAction.Reset), null, CancellationToken.None));

        Assert.InRange(peak, 1, 2);
        Assert.Equal([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3], results.OrderBy(r => int.Parse(r.NodeName[4..], System.Globalization.CultureInfo.InvariantCulture)).Select(r => r.Wave));
        string[] events = [.. log];
        int lastCloseOfWave1 = Array.FindLastIndex(events, e => e.EndsWith("closed", StringComparison.Ordinal) && int.Parse(e[1..e.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) < 5);
        int firstEventOfWave2 = Array.FindIndex(events, e => int.Parse(e[1..e.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) >= 5);
        Assert.True(lastCloseOfWave1 < firstEventOfWave2, string.Join(" | ", events));
    }

    [Fact]
    public async Task A_node_that_hangs_times_out_on_the_runs_clock_and_the_rest_go_on()
    {
        var log = new ConcurrentQueue<string>();
        var clock = new VirtualClock();
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var orchestrator = new PowerCycleOrchestrator(
            (endpoint, _, _) => Task.FromResult<IBmcClient>(endpoint.Host == "b1" ? new HangingClient(endpoint, hanging) : new FakeBmcClient(endpoint, log)),
            new PowerCycleOptions { BatchSize = 0, Stagger = TimeSpan.FromSeconds(2), NodeTimeout = TimeSpan.FromMinutes(3) },
            clock);

        Task<List<PowerCycleResult>> run = CollectAsync(orchestrator.RunAsync(Requests(3, PowerAction.Cycle), null, CancellationToken.None));
        await hanging.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("b2 Cycle", log);
        clock.Advance(TimeSpan.FromMinutes(3));
        List<PowerCycleResult> results = await run;

        PowerCycleResult hung = results.Single(r => r.NodeName == "node1");
        Assert.Equal(BmcFailure.Timeout, hung.Failure);
        Assert.Equal("ipmi://b1:623: power Cycle: no answer within 180 s", hung.Error);
        Assert.Equal(["b0 Cycle", "b2 Cycle"], log.Where(l => l.EndsWith("Cycle", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Progress_counts_every_node_once_in_order()
    {
        var progress = new List<PowerCycleProgress>();
        var orchestrator = new PowerCycleOrchestrator(
            (endpoint, _, _) => endpoint.Host == "b2"
                ? throw new BmcException(endpoint, BmcFailure.Authentication, "wrong password")
                : Task.FromResult<IBmcClient>(new FakeBmcClient(endpoint, new ConcurrentQueue<string>())),
            new PowerCycleOptions { BatchSize = 2, Stagger = TimeSpan.Zero },
            new VirtualClock());

        List<PowerCycleResult> results = await CollectAsync(orchestrator.RunAsync(Requests(5, PowerAction.On), progress.Add, CancellationToken.None));

        Assert.Equal(5, results.Count);
        Assert.Equal([1, 2, 3, 4, 5], progress.Select(p => p.Completed));
        Assert.Equal(1, progress[^1].Failed);
        Assert.Equal(100, progress[^1].PercentComplete);
        Assert.Equal(3, progress[^1].Waves);
    }

    internal static List<PowerCycleRequest> Requests(int count, PowerAction action) =>
        [.. Enumerable.Range(0, count).Select(i => new PowerCycleRequest($"node{i}", new BmcEndpoint($"b{i}", BmcProtocol.Ipmi), new BmcCredential("admin", "pw"), new BootOverride(BootDevice.Pxe), action))];

    internal static async Task<List<PowerCycleResult>> CollectAsync(IAsyncEnumerable<PowerCycleResult> results)
    {
        var list = new List<PowerCycleResult>();
        await foreach (PowerCycleResult result in results)
        {
            list.Add(result);
        }

        return list;
    }

    /// <summary>Waits (bounded, 30 s) for a condition another task makes true; the assertion is the condition, not the time.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class ClosingCounter(IBmcClient inner, Action closed) : IBmcClient
    {
        public BmcEndpoint Endpoint => inner.Endpoint;

        public Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken) => inner.GetPowerStateAsync(cancellationToken);

        public Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken) => inner.SetPowerAsync(action, cancellationToken);

        public Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken) => inner.SetBootOverrideAsync(bootOverride, cancellationToken);

        public Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken) => inner.GetBootOverrideAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            closed();
            await inner.DisposeAsync();
        }
    }

    private sealed class HangingClient(BmcEndpoint endpoint, TaskCompletionSource hanging) : IBmcClient
    {
        public BmcEndpoint Endpoint { get; } = endpoint;

        public Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken) => Task.FromResult(PowerState.On);

        public async Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken)
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken) => Task.FromResult(new BootOverride(BootDevice.None));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
