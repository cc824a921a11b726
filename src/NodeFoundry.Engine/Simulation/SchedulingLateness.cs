namespace NodeFoundry.Simulation;

/// <summary>
/// How late the simulator's own timers ran during a storm (see <see cref="SchedulingLatenessMonitor"/>): a probe
/// that asked to wake after a fixed period and woke this much later. Seconds of lateness mean the client side was
/// starved (CPU, thread pool, GC), and any timeout it reported in that time may be its own, not the server's.
/// </summary>
public sealed record SchedulingLateness(int Samples, TimeSpan P50, TimeSpan P99, TimeSpan Max, int OverHalfSecond)
{
    /// <summary>Lateness from this much on is counted in <see cref="OverHalfSecond"/>: an eighth of a ROM's 4 s timeout.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(500);

    public static SchedulingLateness None { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0);

    /// <summary>The summary of a set of lateness samples (negative ones — a timer served early — count as zero).</summary>
    public static SchedulingLateness Of(IEnumerable<TimeSpan> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Select(s => s < TimeSpan.Zero ? TimeSpan.Zero : s).Order().ToArray();
        return sorted.Length == 0
            ? None
            : new SchedulingLateness(sorted.Length, StageLatency.Percentile(sorted, 50), StageLatency.Percentile(sorted, 99), sorted[^1], sorted.Count(s => s >= Threshold));
    }

    public override string ToString() =>
        $"{Samples} probes, lateness p50 {P50.TotalMilliseconds:F0} ms, p99 {P99.TotalMilliseconds:F0} ms, max {Max.TotalMilliseconds:F0} ms, {OverHalfSecond} at {Threshold.TotalMilliseconds:F0} ms or more";
}
