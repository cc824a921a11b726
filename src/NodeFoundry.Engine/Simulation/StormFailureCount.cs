namespace NodeFoundry.Simulation;

/// <summary>Nodes that failed at one stage for one cause, with one node's words as an example.</summary>
public sealed record StormFailureCount(StormStage Stage, StormFailureCause Cause, int Count, string Example);
