using System.Diagnostics;
using System.Net;

namespace NodeFoundry.Simulation;

/// <summary>
/// A boot storm: <see cref="StormOptions.Nodes"/> simulated nodes (<see cref="SimulatedNode"/>) powered on at once
/// or rippled, at most <see cref="StormOptions.Concurrency"/> booting together, all bounded by the storm's
/// deadline. Reports per-stage latency, failures by stage and cause, the time until all booted and the bytes
/// moved; <see cref="Progress"/> (or the callback) says how far it is while it runs.
/// The DHCP reply socket is bound on construction, so a test can point a server's relay port at it first.
/// </summary>
public sealed class FleetSimulator : IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The stall detector's period: short beside a ROM's 4 s, long enough to cost nothing.</summary>
    private static readonly TimeSpan LatenessProbePeriod = TimeSpan.FromMilliseconds(100);
    private readonly StormOptions _options;
    private readonly RelayDhcpChannel _dhcp;
    private StormCounters? _counters;
    private int _started;

    public FleetSimulator(StormOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        DhcpServer = options.DhcpServer;
        TftpServer = options.TftpServer;
        _dhcp = new RelayDhcpChannel(options.DhcpReplyEndPoint, options.RelayAddress);
    }

    public StormOptions Options => _options;

    /// <summary>Where DHCP replies are received (the server's relay port must point here).</summary>
    public IPEndPoint DhcpReplyEndPoint => _dhcp.LocalEndPoint;

    /// <summary>Where DHCP requests go; settable until the storm starts, for a server whose port is known only once bound.</summary>
    public IPEndPoint DhcpServer { get; set; }

    /// <summary>Where TFTP requests go (null: each OFFER's next-server on port 69); settable until the storm starts.</summary>
    public IPEndPoint? TftpServer { get; set; }

    /// <summary>Where the storm is now; null before it starts.</summary>
    public StormProgress? Progress => _counters?.Snapshot();

    public async Task<StormReport> RunAsync(IProgress<StormProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a storm runs once");
        }

        var counters = new StormCounters(_options.Nodes);
        _counters = counters;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Deadline);
        using var stopReceiving = new CancellationTokenSource();
        var receive = Task.Run(() => _dhcp.ReceiveLoopAsync(stopReceiving.Token), CancellationToken.None);
        var reporting = progress is null ? Task.CompletedTask : ReportAsync(progress, counters, stopReceiving.Token);
        var lateness = new SchedulingLatenessMonitor(TimeProvider.System, LatenessProbePeriod);
        var probing = Task.Run(() => lateness.RunAsync(stopReceiving.Token), CancellationToken.None);
        var servers = new BootServers(DhcpServer, TftpServer);
        var results = new Task<SimulatedNodeResult>[_options.Nodes];
        using var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        try
        {
            for (var i = 0; i < _options.Nodes; i++)
            {
                var node = new SimulatedNode(i, _options, _dhcp, counters);
                if (!await PowerOnAsync(i, counters, slots, deadline.Token).ConfigureAwait(false))
                {
                    results[i] = Task.FromResult(NeverPoweredOn(i, node, counters));
                    continue;
                }

                results[i] = BootThenReleaseAsync(node, servers, slots, deadline.Token);
            }

            await Task.WhenAll(results).ConfigureAwait(false);
        }
        finally
        {
            await stopReceiving.CancelAsync().ConfigureAwait(false);
            await receive.ConfigureAwait(false);
            await reporting.ConfigureAwait(false);
            await probing.ConfigureAwait(false);
        }

        var report = Summarize(results.Select(r => r.Result).ToArray()) with { ClientLateness = lateness.Snapshot() };
        progress?.Report(counters.Snapshot());
        return report;
    }

    public void Dispose() => _dhcp.Dispose();

    /// <summary>Waits for node <paramref name="index"/>'s power-on time, then for a boot slot; false when the deadline came first.</summary>
    private async Task<bool> PowerOnAsync(int index, StormCounters counters, SemaphoreSlim slots, CancellationToken deadline)
    {
        try
        {
            var due = _options.Nodes > 1 ? _options.Ripple * index / (_options.Nodes - 1) : TimeSpan.Zero;
            var wait = due - counters.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, deadline).ConfigureAwait(false);
            }

            await slots.WaitAsync(deadline).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<SimulatedNodeResult> BootThenReleaseAsync(SimulatedNode node, BootServers servers, SemaphoreSlim slots, CancellationToken deadline)
    {
        try
        {
            // Off the power-on loop's thread: the next node powers on while this one sends its DISCOVER.
            return await Task.Run(() => node.BootAsync(servers, deadline), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private static SimulatedNodeResult NeverPoweredOn(int index, SimulatedNode node, StormCounters counters)
    {
        counters.Finished(booted: false);
        return new SimulatedNodeResult
        {
            Index = index,
            MacAddress = node.MacAddress,
            PoweredOnAt = counters.Elapsed,
            FinishedAt = counters.Elapsed,
            FailedStage = StormStage.Discover,
            FailureCause = StormFailureCause.Deadline,
            FailureDetail = "the storm's deadline passed before this node powered on (ripple or concurrency slots)",
        };
    }

    private static async Task ReportAsync(IProgress<StormProgress> progress, StormCounters counters, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                progress.Report(counters.Snapshot());
            }
        }
        catch (OperationCanceledException)
        {
            // The storm is over.
        }
    }

    private StormReport Summarize(SimulatedNodeResult[] nodes)
    {
        var firstPowerOn = nodes.Min(n => n.PoweredOnAt);
        var lastFinish = nodes.Max(n => n.FinishedAt);
        var stages = Enum.GetValues<StormStage>()
            .Select(stage => StageLatency.Of(stage, nodes.Where(n => n.StageDurations.ContainsKey(stage)).Select(n => n.StageDurations[stage])))
            .ToArray();
        var failures = nodes.Where(n => !n.Booted)
            .GroupBy(n => (n.FailedStage!.Value, n.FailureCause!.Value))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Item1)
            .Select(g => new StormFailureCount(g.Key.Item1, g.Key.Item2, g.Count(), $"{g.First().MacAddress}: {g.First().FailureDetail}"))
            .ToArray();
        return new StormReport
        {
            Nodes = nodes.Length,
            Booted = nodes.Count(n => n.Booted),
            Duration = lastFinish - firstPowerOn,
            Ripple = _options.Ripple,
            Concurrency = _options.Concurrency,
            BytesMoved = nodes.Sum(n => n.BytesMoved),
            NbpBytes = nodes.Sum(n => n.NbpBytes),
            HttpBytes = nodes.Sum(n => n.ScriptBytes + n.KernelBytes + n.InitrdBytes),
            Stages = stages,
            Failures = failures,
            DhcpSent = _dhcp.Sent,
            DhcpRetransmits = _dhcp.Retransmits,
            DhcpUnmatchedReplies = _dhcp.Unmatched,
            TftpDuplicateBlocks = nodes.Sum(n => (long)n.TftpDuplicateBlocks),
            TftpLateReads = nodes.Sum(n => (long)n.TftpLateReads),
            NodeResults = _options.KeepNodeResults ? nodes : [],
        };
    }
}
