using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Everything the lease table knows about one address it has touched: reservation, latest lease (bound, released
/// or declined) and the in-memory offer hold. An address with none of those has no slot.
/// </summary>
internal sealed class AddressSlot(uint value, IPAddress address, PoolState? pool)
{
    public uint Value { get; } = value;

    /// <summary>The address as handed out (one instance per slot, shared by its leases).</summary>
    public IPAddress Address { get; } = address;

    /// <summary>The pool the address lies in; null for a reserved (or formerly leased) address outside every pool.</summary>
    public PoolState? Pool { get; } = pool;

    public PhysicalAddress? ReservedFor { get; set; }

    /// <summary>Latest lease on the address: Bound (maybe expired), Released, or Declined (quarantined until ExpiresAt).</summary>
    public Lease? Lease { get; set; }

    /// <summary>
    /// The lease was learned from another server sharing the store (not granted, journaled or replayed here): a scan
    /// that comes upon such an address has reached that server's allocations.
    /// </summary>
    public bool LeasedByPeer { get; set; }

    public PhysicalAddress? OfferedTo { get; set; }

    public long OfferExpiresTicks { get; set; }

    public bool IsEmpty => ReservedFor is null && Lease is null && OfferedTo is null;

    /// <summary>When the lease stops protecting the address: expiry, release time, or end of quarantine.</summary>
    public long ReclaimAtTicks => Lease?.ExpiresAt.UtcTicks ?? 0;

    public bool IsHeldAt(long nowTicks) => OfferedTo is not null && OfferExpiresTicks > nowTicks;
}
