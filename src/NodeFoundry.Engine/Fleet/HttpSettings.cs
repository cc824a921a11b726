namespace NodeFoundry.Fleet;

/// <summary>Per-node HTTP routes (fleet file: <c>http</c>). The HTTP port and root live under <c>server</c> (httpPort, httpRoot).</summary>
public sealed class HttpSettings
{
    /// <summary>What <c>boot/{mac}.ipxe</c> answers for a MAC the fleet does not list (<c>unknownNodes</c>).</summary>
    public UnknownNodePolicy UnknownNodes { get; init; } = UnknownNodePolicy.Discovery;

    /// <summary>How long the discovery script waits before it exits to the local disk (<c>discoveryDelay</c>).</summary>
    public TimeSpan DiscoveryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After a node phones home, its script exits to the local disk instead of installing again (<c>disarmAfterInstall</c>).</summary>
    public bool DisarmAfterInstall { get; init; }
}
