namespace NodeFoundry.PowerShell.Completion;

/// <summary>What a fleet-file argument completer offers.</summary>
internal enum FleetCompletionKind
{
    /// <summary>Node names.</summary>
    NodeName,

    /// <summary>Boot MAC addresses of nodes (tool tip: the node's name).</summary>
    MacAddress,

    /// <summary>Boot profile names.</summary>
    ProfileName,
}
