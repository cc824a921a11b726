namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// How a pool's addresses are used at one instant. <see cref="Bound"/> counts unexpired leases,
/// <see cref="Offered"/> addresses held for an offer and not bound, <see cref="Quarantined"/> declined addresses
/// still in quarantine, <see cref="Reserved"/> reserved addresses inside the pool that are none of those.
/// </summary>
public sealed record PoolUsage(string Pool, long Size, long Bound, long Offered, long Quarantined)
{
    public long Reserved { get; init; }

    /// <summary>Addresses that could be offered to a new client now (never used, released or expired).</summary>
    public long Available => Size - Bound - Offered - Quarantined - Reserved;
}
