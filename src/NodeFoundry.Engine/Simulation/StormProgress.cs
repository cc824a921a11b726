namespace NodeFoundry.Simulation;

/// <summary>A storm while it runs: how many nodes are powered on, how many have completed each stage, how many booted or failed.</summary>
public sealed record StormProgress
{
    public required int Nodes { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public int PoweredOn { get; init; }

    /// <summary>Nodes that completed each stage so far, indexed by <see cref="StormStage"/>.</summary>
    public IReadOnlyList<int> StageCompleted { get; init; } = [];

    public int Booted { get; init; }

    public int Failed { get; init; }

    public long BytesMoved { get; init; }

    public int Finished => Booted + Failed;

    public int PercentComplete => Nodes == 0 ? 100 : (int)(100L * Finished / Nodes);

    public override string ToString() =>
        $"{Elapsed.TotalSeconds:F1} s: {PoweredOn}/{Nodes} powered on, {Booted} booted, {Failed} failed, {BytesMoved / 1_000_000.0:F1} MB";
}
