namespace NodeFoundry.Fleet;

/// <summary>Per-node boot exceptions (fleet file: <c>nodes[].boot</c>).</summary>
public sealed class NodeBootOverride
{
    /// <summary>Loader used for this node whatever its firmware kind; replaces <see cref="BootSettings.Loaders"/>.</summary>
    public string? Loader { get; init; }

    /// <summary>
    /// Treat the node's boot ROM as iPXE even though it does not send user-class <c>iPXE</c> (option 77), as
    /// iPXE-derived ROMs such as Mellanox FlexBoot do: such a node gets the script URL instead of a loader.
    /// </summary>
    public bool? TreatAsIpxe { get; init; }

    /// <summary>iPXE script URL for this node; replaces <see cref="BootSettings.IpxeScriptUrl"/>. Same placeholders.</summary>
    public string? ScriptUrl { get; init; }
}
