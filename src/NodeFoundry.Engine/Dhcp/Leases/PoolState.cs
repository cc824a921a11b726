namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Allocation state of one pool. The scan for never-used addresses walks scan steps (offsets from
/// <see cref="ScanStart"/>, wrapping) in stretches: the current one from its next step to its end, and stretches it
/// leapt over (<see cref="LeapAfterRefusal"/>, <see cref="LeapAfterPeerLease"/>) wait in a queue. A step no stretch
/// still holds has been looked at: its address is in <see cref="Slots"/>, or free and queued in <see cref="Free"/>.
/// <see cref="Reclaim"/> orders addresses that carry a lease by when the lease stops protecting them; its entries are
/// checked when popped, stale ones dropped.
/// </summary>
internal sealed class PoolState(LeasePool pool, long scanStart = 0)
{
    // At most this many ready reclaim entries are moved per leap: a few milliseconds of heap work, and already far
    // more addresses than another server grants between two reads of the store.
    private const int MaxReclaimLeap = 4096;

    // A peer's lease only moves the scan out of a stretch at least this long (see LeapAfterPeerLease).
    private const long MinimumPeerLeap = 64;

    private readonly Queue<(long From, long To)> _skipped = new();
    private readonly Queue<(uint Value, long ReclaimAt)> _leptReclaims = new();
    private long _stretchStart;
    private long _stretchEnd = pool.Size;

    // The next scan step of the current stretch.
    private long _nextStep;

    public LeasePool Pool { get; } = pool;

    /// <summary>
    /// Offset the never-used scan starts at (and wraps around from). 0 for a server on its own; servers sharing a
    /// store start at different points so their fresh allocations rarely race for the same address.
    /// </summary>
    public long ScanStart { get; } = scanStart;

    public Dictionary<uint, AddressSlot> Slots { get; } = [];

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
        while (_nextStep >= _stretchEnd)
        {
            if (!_skipped.TryDequeue(out (long From, long To) stretch))
            {
                step = -1;
                return false;
            }

            (_stretchStart, _nextStep, _stretchEnd) = (stretch.From, stretch.From, stretch.To);
        }

        step = _nextStep++;
        return true;
    }

    /// <summary>Whether the scan has yet to reach <paramref name="step"/> (it will find the address there by itself).</summary>
    public bool IsAheadOfScan(long step)
    {
        if (step >= _nextStep && step < _stretchEnd)
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
    /// this table). Each meeting of two fronts costs one flush's refusals instead of one per client; each leap halves
    /// a stretch, so they stay few. False when the scan stays.
    /// </summary>
    public bool LeapAfterRefusal(long step) => Leap(step, minimumLeft: 2);

    /// <summary>
    /// The scan came upon an address another server leased (<see cref="AddressSlot.LeasedByPeer"/>): it has reached
    /// that server's block, whose newest part this table has not read yet. Leaping now, as after a refusal, saves
    /// the NAKs the stale part would cost. Only from a stretch of at least <see cref="MinimumPeerLeap"/> steps, so
    /// scattered leases of other servers (clients that moved) cannot cut the scan into slivers.
    /// </summary>
    public bool LeapAfterPeerLease(long step) => Leap(step, MinimumPeerLeap);

    private bool Leap(long step, long minimumLeft)
    {
        long left = _stretchEnd - _nextStep;
        if (step < _stretchStart || step >= _nextStep || left < minimumLeft)
        {
            return false;
        }

        long middle = _nextStep + (left / 2);
        _skipped.Enqueue((_nextStep, middle));
        _stretchStart = middle;
        _nextStep = middle;
        return true;
    }

    /// <summary>
    /// The next reclaim entry that is due: from <see cref="Reclaim"/> first, then those a reclaim leap set aside.
    /// Entries are hints; the caller checks each against its slot.
    /// </summary>
    public bool TryTakeReclaimCandidate(long now, out uint value, out long reclaimAt)
    {
        if (Reclaim.TryPeek(out value, out reclaimAt) && reclaimAt <= now)
        {
            Reclaim.Dequeue();
            return true;
        }

        if (_leptReclaims.TryDequeue(out (uint Value, long ReclaimAt) lept))
        {
            (value, reclaimAt) = lept;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The reclaim counterpart of <see cref="LeapAfterRefusal"/>: once the pool has no never-used address left, new
    /// clients get addresses whose leases ended, oldest first, and every server sharing the store knows the same
    /// leases, so they reclaim in the same order and race for each one. After a refusal the older half of the due
    /// entries (up to <see cref="MaxReclaimLeap"/>) is set aside until the rest is used. False when the scan still
    /// has never-used addresses (the refusal was not in reclaim order) or fewer than two entries are due.
    /// </summary>
    public bool LeapReclaimsAfterRefusal(long now)
    {
        if (_nextStep < _stretchEnd || _skipped.Count > 0)
        {
            return false;
        }

        var due = new List<(uint Value, long ReclaimAt)>();
        while (due.Count < MaxReclaimLeap && Reclaim.TryPeek(out uint value, out long reclaimAt) && reclaimAt <= now)
        {
            Reclaim.Dequeue();
            due.Add((value, reclaimAt));
        }

        int half = due.Count >= 2 ? due.Count / 2 : 0;
        for (int i = 0; i < due.Count; i++)
        {
            if (i < half)
            {
                _leptReclaims.Enqueue(due[i]);
            }
            else
            {
                Reclaim.Enqueue(due[i].Value, due[i].ReclaimAt);
            }
        }

        return half > 0;
    }

    /// <summary>Drops stale entries when the heap grows well past the number of slots that could be in it.</summary>
    public void PruneReclaimIfBloated()
    {
        if (Reclaim.Count <= (2 * Slots.Count) + 1024)
        {
            return;
        }

        Reclaim.Clear();
        _leptReclaims.Clear(); // rebuilt below with the rest: every slot's current entry goes back in the heap
        foreach (AddressSlot slot in Slots.Values)
        {
            if (slot.Lease is not null && slot.ReservedFor is null)
            {
                Reclaim.Enqueue(slot.Value, slot.ReclaimAtTicks);
            }
        }
    }
}
