namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Allocation state of one pool. Addresses below <see cref="NextFresh"/> (an offset from the first address) have
/// been looked at: each is in <see cref="Slots"/>, or free and queued in <see cref="Free"/>. Addresses at or above
/// it without a slot were never used. <see cref="Reclaim"/> orders addresses that carry a lease by when the lease
/// stops protecting them; its entries are checked when popped, stale ones dropped.
/// </summary>
internal sealed class PoolState(LeasePool pool, long scanStart = 0)
{
    public LeasePool Pool { get; } = pool;

    /// <summary>
    /// Offset the never-used scan starts at (and wraps around from). 0 for a server on its own; servers sharing a
    /// store start at different points so their fresh allocations rarely race for the same address.
    /// </summary>
    public long ScanStart { get; } = scanStart;

    public Dictionary<uint, AddressSlot> Slots { get; } = [];

    public long NextFresh { get; set; }

    public Queue<uint> Free { get; } = new();

    public PriorityQueue<uint, long> Reclaim { get; } = new();

    public long Offset(uint value) => (long)value - Pool.FirstValue;

    /// <summary>The address the never-used scan looks at in its <paramref name="index"/>-th step.</summary>
    public uint ValueAtScan(long index) => (uint)(Pool.FirstValue + ((index + ScanStart) % Pool.Size));

    /// <summary>The scan step at which <paramref name="value"/> is (or was) looked at.</summary>
    public long ScanIndex(uint value) => ((Offset(value) - ScanStart) % Pool.Size + Pool.Size) % Pool.Size;

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
