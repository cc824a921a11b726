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

    /// <summary>The default of <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 16_384;

    /// <summary>
    /// Most HTTP connections open at once (<c>maxConnections</c>); the next gets a 503. Every node of a mass power-on
    /// holds one for its kernel and initrd at the same time: keep it above the number of nodes that boot together.
    /// </summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>
    /// The HTTP server's egress budget in Mbit/s (<c>egressMbps</c>), shared among the file bodies being sent; null
    /// (the default) sends unpaced. Set a little below the server's link rate so its own bulk sends do not overfill
    /// the link's queue, where TFTP and the other downloads would be dropped (docs/performance.md, run 11). Linux only.
    /// </summary>
    public int? EgressMbps { get; init; }
}
