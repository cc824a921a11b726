namespace NodeFoundry.Timeline;

/// <summary>
/// <see cref="BootTimeline.WaitForStageAsync(BootStage, int, TimeSpan, CancellationToken)"/> ran out of time: carries
/// the nodes that did reach the stage, and for a wait on named MACs, the ones that did not.
/// </summary>
public sealed class BootStageTimeoutException : TimeoutException
{
    public BootStageTimeoutException()
        : this("timed out waiting for a boot stage")
    {
    }

    public BootStageTimeoutException(string message)
        : base(message)
    {
    }

    public BootStageTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BootStageTimeoutException(string message, BootStage stage, IReadOnlyList<NodeBootTimeline> reached, IReadOnlyList<NodeBootTimeline> missing)
        : base(message)
    {
        Stage = stage;
        Reached = reached;
        Missing = missing;
    }

    public BootStage Stage { get; }

    /// <summary>The nodes that reached the stage in time.</summary>
    public IReadOnlyList<NodeBootTimeline> Reached { get; } = [];

    /// <summary>Named nodes (or, for a count, every tracked node) that had not reached it, with where they were.</summary>
    public IReadOnlyList<NodeBootTimeline> Missing { get; } = [];
}
