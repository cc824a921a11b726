namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Allocation state of one pool. Addresses below <see cref="NextFresh"/> (an offset from the first address) have
/// been looked at: each is in <see cref="Slots"/>, or free and queued in <see cref="Free"/>. Addresses at or above
/// it without a slot were never used. <see cref="Reclaim"/> orders addresses that carry a lease by when the lease
/// stops protecting them; its entries are checked when popped, stale ones dropped.
/// </summary>
internal sealed class PoolState(LeasePool pool)
{
    public LeasePool Pool { get; } = pool;

    public Dictionary<uint, AddressSlot> Slots { get; } = [];

    public long NextFresh { get; set; }

    public Queue<uint> Free { get; } = new();

    public PriorityQueue<uint, long> Reclaim { get; } = new();

    public long Offset(uint value) => (long)value - Pool.FirstValue;

    /// <summary>Drops stale entries when the heap grows well past the number of slots that could be in it.</summary>
    public void PruneReclaimIfBloated()
    {
        if (Reclaim.Count <= (2 * Slots.Count) + 1024)
        {
            return;
        }

        Reclaim.Clear();
        foreach (AddressSlot slot in Slots.Values)
        {
            if (slot.Lease is not null && slot.ReservedFor is null)
            {
                Reclaim.Enqueue(slot.Value, slot.ReclaimAtTicks);
            }
        }
    }
}
