namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Allocation state of one pool. The scan for never-used addresses walks scan steps (offsets from
/// <see cref="ScanStart"/>, wrapping) in stretches: the current one is [<see cref="NextFresh"/>, its end), and
/// stretches it leapt over after a refusal (<see cref="LeapAfterRefusal"/>) wait in a queue. A step no stretch still
/// holds has been looked at: its address is in <see cref="Slots"/>, or free and queued in <see cref="Free"/>.
/// <see cref="Reclaim"/> orders addresses that carry a lease by when the lease stops protecting them; its entries are
/// checked when popped, stale ones dropped.
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

    private readonly Queue<(long From, long To)> _skipped = new();
    private long _stretchStart;
    private long _stretchEnd = pool.Size;

    /// <summary>The next scan step of the current stretch.</summary>
    public long NextFresh { get; private set; }

    public Queue<uint> Free { get; } = new();

    public PriorityQueue<uint, long> Reclaim { get; } = new();

    public long Offset(uint value) => (long)value - Pool.FirstValue;

    /// <summary>The address the never-used scan looks at in its <paramref name="index"/>-th step.</summary>
    public uint ValueAtScan(long index) => (uint)(Pool.FirstValue + ((index + ScanStart) % Pool.Size));

    /// <summary>The scan step at which <paramref name="value"/> is (or was) looked at.</summary>
    public long ScanIndex(uint value) => ((Offset(value) - ScanStart) % Pool.Size + Pool.Size) % Pool.Size;

    /// <summary>The next never-looked-at scan step (the current stretch, then the stretches leapt over), or false when none is left.</summary>
    public bool TryTakeScanStep(out long step)
    {
        while (NextFresh >= _stretchEnd)
        {
            if (!_skipped.TryDequeue(out (long From, long To) stretch))
            {
                step = -1;
                return false;
            }

            (_stretchStart, NextFresh, _stretchEnd) = (stretch.From, stretch.From, stretch.To);
        }

        step = NextFresh++;
        return true;
    }

    /// <summary>Whether the scan has yet to reach <paramref name="step"/> (it will find the address there by itself).</summary>
    public bool IsAheadOfScan(long step)
    {
        if (step >= NextFresh && step < _stretchEnd)
        {
            return true;
        }

        foreach ((long from, long to) in _skipped)
        {
            if (step >= from && step < to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Another server's grant won the address at <paramref name="step"/>. When the current stretch's scan produced it,
    /// this scan has run into that server's allocation front, which moves the same way: following it would lose a race
    /// for nearly every address. So the scan leaps to the middle of what its stretch has left, and the half it leapt
    /// over waits until the scan has nothing else (by then the other server has mostly filled it, which syncing tells
    /// this table). Each meeting of two fronts costs a refusal or two instead of one per client; the leaps halve the
    /// unscanned space, so there are at most a few dozen in a pool's life. False when the scan stays.
    /// </summary>
    public bool LeapAfterRefusal(long step)
    {
        long left = _stretchEnd - NextFresh;
        if (step < _stretchStart || step >= NextFresh || left < 2)
        {
            return false;
        }

        long middle = NextFresh + (left / 2);
        _skipped.Enqueue((NextFresh, middle));
        _stretchStart = middle;
        NextFresh = middle;
        return true;
    }

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
