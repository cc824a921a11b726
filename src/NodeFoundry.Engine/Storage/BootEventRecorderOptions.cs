namespace NodeFoundry.Storage;

/// <summary>How a <see cref="BootEventRecorder"/> batches, bounds and retries.</summary>
public sealed record BootEventRecorderOptions
{
    /// <summary>
    /// Most events waiting to be written (and most nodes with unwritten sightings). About 200 bytes an event: the
    /// default holds a 2,000-node storm's ten stages five times over, for about 20 MB, through an outage.
    /// </summary>
    public int MaxBacklog { get; init; } = 100_000;

    /// <summary>Most events (and sightings) in one transaction.</summary>
    public int MaxBatch { get; init; } = 1_000;

    /// <summary>How often waiting events are written when no batch fills; also how often a down store is looked at.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The first retry after a failed write; doubling up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryFirstDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the store keeps boot events (every server's: the fleet file's <c>storage.eventRetention</c>); null keeps
    /// them for ever. A node's inventory row is kept either way.
    /// </summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often the recorder deletes events past <see cref="Retention"/> (first at start).</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Most events one prune deletes: a year-old backlog goes over several intervals, not in one long delete.</summary>
    public int MaxPrunedPerInterval { get; init; } = 1_000_000;

    /// <summary>How reports name the store until it has opened (it names itself then).</summary>
    public string StoreName { get; init; } = "boot event store";

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBacklog, 1, nameof(MaxBacklog));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, nameof(MaxBatch));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FlushInterval, TimeSpan.Zero, nameof(FlushInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryFirstDelay, TimeSpan.Zero, nameof(RetryFirstDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryFirstDelay, nameof(RetryMaxDelay));
        if (Retention is { } retention)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero, nameof(Retention));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PruneInterval, TimeSpan.Zero, nameof(PruneInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPrunedPerInterval, 1, nameof(MaxPrunedPerInterval));
    }
}
