namespace NodeFoundry.Power;

/// <summary>Where a fleet power run stands, reported each time a node finishes.</summary>
/// <param name="Completed">Nodes finished, failed ones included.</param>
/// <param name="Failed">Nodes that failed.</param>
/// <param name="Total">Nodes in the run.</param>
/// <param name="Wave">The current wave (1-based).</param>
/// <param name="Waves">Waves in the run.</param>
/// <param name="Last">The node that just finished.</param>
public sealed record PowerCycleProgress(int Completed, int Failed, int Total, int Wave, int Waves, PowerCycleResult Last)
{
    /// <summary>0–100.</summary>
    public int PercentComplete => Total == 0 ? 100 : Completed * 100 / Total;
}
