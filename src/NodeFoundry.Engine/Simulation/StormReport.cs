namespace NodeFoundry.Simulation;

/// <summary>
/// What a boot storm measured: nodes booted and failed (by stage and cause), per-stage latency percentiles, the
/// time until every node had finished its last stage, and the bytes moved.
/// </summary>
public sealed record StormReport
{
    public required int Nodes { get; init; }

    public required int Booted { get; init; }

    public int Failed => Nodes - Booted;

    /// <summary>From the first power-on until the last node finished (booted or failed) — the storm's wall time.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>From the first power-on until the last node finished its last stage; null unless every node booted.</summary>
    public TimeSpan? TimeToAllBooted => Failed == 0 ? Duration : null;

    public required TimeSpan Ripple { get; init; }

    public required int Concurrency { get; init; }

    /// <summary>Every byte of NBP, script, kernel and initrd the nodes received.</summary>
    public required long BytesMoved { get; init; }

    public long NbpBytes { get; init; }

    public long HttpBytes { get; init; }

    public required IReadOnlyList<StageLatency> Stages { get; init; }

    public required IReadOnlyList<StormFailureCount> Failures { get; init; }

    public long DhcpSent { get; init; }

    public long DhcpRetransmits { get; init; }

    /// <summary>DHCP replies nobody waited for (duplicates, or answers after a node gave up).</summary>
    public long DhcpUnmatchedReplies { get; init; }

    public long TftpDuplicateBlocks { get; init; }

    /// <summary>ROM timeouts that found the server's packet already waiting in the socket: the simulator was late, not the server.</summary>
    public long TftpLateReads { get; init; }

    /// <summary>How late the simulator's own timers ran during the storm (its stall detector).</summary>
    public SchedulingLateness ClientLateness { get; init; } = SchedulingLateness.None;

    /// <summary>Every node's result, in node order (empty when the options said not to keep them).</summary>
    public IReadOnlyList<SimulatedNodeResult> NodeResults { get; init; } = [];

    /// <summary>Bytes moved ÷ a link's rate: the shortest time the storm could take on that link.</summary>
    public TimeSpan LinkLimit(double bitsPerSecond) =>
        bitsPerSecond > 0 ? TimeSpan.FromSeconds(BytesMoved * 8.0 / bitsPerSecond) : throw new ArgumentOutOfRangeException(nameof(bitsPerSecond));

    public override string ToString() =>
        $"{Booted}/{Nodes} booted, {Failed} failed, {Duration.TotalSeconds:F2} s, {BytesMoved / 1_000_000.0:F1} MB";
}
