namespace NodeFoundry.Simulation;

/// <summary>How long one stage took across the nodes that completed it: nearest-rank percentiles and the worst.</summary>
public sealed record StageLatency(StormStage Stage, int Completed, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max)
{
    public static StageLatency Of(StormStage stage, IEnumerable<TimeSpan> durations)
    {
        ArgumentNullException.ThrowIfNull(durations);
        var sorted = durations.Order().ToArray();
        return sorted.Length == 0
            ? new StageLatency(stage, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)
            : new StageLatency(stage, sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest value with at least p% of the values at or below it.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0 || percent is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), "a percentile of 1–100 over at least one value");
        }

        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Max(rank, 1) - 1];
    }
}
