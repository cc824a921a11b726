namespace NodeFoundry.Fleet;

/// <summary>DHCP server behaviour (fleet file: <c>dhcp</c>).</summary>
public sealed class DhcpSettings
{
    /// <summary>Authoritative (we lease addresses) or proxyDHCP (boot information only).</summary>
    public DhcpMode Mode { get; init; } = DhcpMode.Authoritative;

    /// <summary>UDP port the DHCP server listens on (67; proxy mode also uses 4011).</summary>
    public int Port { get; init; } = 67;

    /// <summary>What to do with clients that are not network-booting.</summary>
    public NonPxeClientPolicy NonPxeClients { get; init; } = NonPxeClientPolicy.NormalRange;

    /// <summary>Whether PXE clients whose MAC is not in <c>nodes</c> are answered (from the scope's PXE range).</summary>
    public bool AnswerUnknownPxeClients { get; init; } = true;

    /// <summary>The subnets served. At least one in authoritative mode.</summary>
    public IReadOnlyList<DhcpScope> Scopes { get; init; } = [];

    /// <summary>How long an offered address is held for the client before it can be offered to another.</summary>
    public TimeSpan OfferHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-MAC rate limit; requests beyond it are dropped (protects against storms and loops).</summary>
    public int MaxRequestsPerMacPerSecond { get; init; } = 20;
}
