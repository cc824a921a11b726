using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Net;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// The DHCP address allocator: which client holds, was offered, or has reserved which address, backed by a
/// durable <see cref="ILeaseJournal"/>. No address is ever offered or granted to a second client while another
/// client's lease, offer hold, reservation or decline quarantine protects it.
/// </summary>
/// <remarks>
/// <para>Allocation order for an offer: the client's reservation; its existing (even expired or released) lease in
/// the pool; the requested address if never used or already its own; its outstanding offer; an address freed
/// without an owner; the next never-used address (lowest first; in a shared pool from this server's own starting
/// point, leaping away from another server's block or front: <see cref="LearnRefusals"/>); and only then, oldest
/// first, an address whose previous client's lease expired or was released. So a returning client gets its old
/// address back for as long as the pool has any other address to give.</para>
/// <para>Every operation is O(1) amortized (heap operations O(log n)). Mutating calls come from the DHCP loop;
/// <see cref="Snapshot"/> and <see cref="GetUsage"/> may be called from any thread. A plain lock guards the state;
/// <see cref="Flush"/> fsyncs outside it, so readers never wait for the disk.</para>
/// <para>Commit, release and decline append a journal record but do not flush: the caller appends a batch, calls
/// <see cref="Flush"/> once, and only then sends the batch's replies.</para>
/// </remarks>
public sealed class LeaseTable
{
    /// <summary>Pool name recorded on leases of reserved addresses.</summary>
    public const string ReservationPoolName = "reservation";

    private readonly object _gate = new();
    private readonly object _journalGate = new();
    private readonly PoolState[] _pools;
    private readonly Dictionary<string, PoolState> _poolsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, AddressSlot> _outside = [];
    private readonly Dictionary<PhysicalAddress, AddressSlot> _reservations = [];
    private readonly Dictionary<PhysicalAddress, AddressSlot> _leaseByMac = [];
    private readonly Dictionary<PhysicalAddress, AddressSlot> _offerByMac = [];
    private readonly Queue<HoldEntry> _holds = new();
    private readonly ILeaseJournal _journal;
    private readonly TimeProvider _time;
    private readonly LeaseTableOptions _options;
    private readonly long _offerHoldTicks;
    private readonly long _quarantineTicks;
    private long _knownLeases;
    private bool _replaying;

    public LeaseTable(
        IEnumerable<LeasePool> pools,
        IEnumerable<KeyValuePair<PhysicalAddress, IPAddress>> reservations,
        ILeaseJournal journal,
        TimeProvider time,
        IEnumerable<LeaseRecord>? replay = null,
        LeaseTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(reservations);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(time);
        _journal = journal;
        _time = time;
        _options = options ?? new LeaseTableOptions();
        if (_options.OfferHold <= TimeSpan.Zero || _options.DeclineQuarantine <= TimeSpan.Zero)
        {
            throw new ArgumentException("OfferHold and DeclineQuarantine must be positive.", nameof(options));
        }

        if (_options.CompactRatio < 2 || _options.CompactAfterRecords < 0)
        {
            throw new ArgumentException("CompactRatio must be at least 2 and CompactAfterRecords not negative.", nameof(options));
        }

        if (_options.MaxHostNameLength is < 0 or > 340)
        {
            throw new ArgumentException("MaxHostNameLength must be between 0 and 340.", nameof(options));
        }

        _offerHoldTicks = _options.OfferHold.Ticks;
        _quarantineTicks = _options.DeclineQuarantine.Ticks;

        var poolList = new List<LeasePool>();
        foreach (LeasePool pool in pools)
        {
            ArgumentNullException.ThrowIfNull(pool, nameof(pools));
            poolList.Add(pool);
        }

        poolList.Sort((a, b) => a.FirstValue.CompareTo(b.FirstValue));
        _pools = new PoolState[poolList.Count];
        for (int i = 0; i < poolList.Count; i++)
        {
            if (i > 0 && poolList[i].Overlaps(poolList[i - 1]))
            {
                throw new ArgumentException($"Pools '{poolList[i - 1]}' and '{poolList[i]}' overlap.", nameof(pools));
            }

            _pools[i] = new PoolState(poolList[i], ScanStart(poolList[i], _options.ScanStartFraction));
            if (!_poolsByName.TryAdd(poolList[i].Name, _pools[i]))
            {
                throw new ArgumentException($"Two pools are named '{poolList[i].Name}'.", nameof(pools));
            }
        }

        foreach ((PhysicalAddress mac, IPAddress address) in reservations)
        {
            ArgumentNullException.ThrowIfNull(mac, nameof(reservations));
            uint value = Ipv4.ToUInt32(address, nameof(reservations));
            if (_reservations.ContainsKey(mac))
            {
                throw new ArgumentException($"Two reservations for MAC {mac}.", nameof(reservations));
            }

            AddressSlot slot = GetOrCreateSlot(value);
            if (slot.ReservedFor is not null)
            {
                throw new ArgumentException($"Address {slot.Address} is reserved for both {slot.ReservedFor} and {mac}.", nameof(reservations));
            }

            slot.ReservedFor = mac;
            _reservations.Add(mac, slot);
        }

        if (replay is not null)
        {
            _replaying = true;
            foreach (LeaseRecord record in replay)
            {
                ApplyRecord(record);
            }

            _replaying = false;
            foreach (PoolState pool in _pools)
            {
                foreach (AddressSlot slot in pool.Slots.Values)
                {
                    if (slot.Lease is not null && slot.ReservedFor is null)
                    {
                        pool.Reclaim.Enqueue(slot.Value, slot.ReclaimAtTicks);
                    }
                }
            }
        }
    }

    /// <summary>The pools, lowest first.</summary>
    public IReadOnlyList<LeasePool> Pools => Array.ConvertAll(_pools, p => p.Pool);

    /// <summary>Replayed records ignored because their address was not IPv4.</summary>
    public int IgnoredReplayRecords { get; private set; }

    /// <summary>Journal compactions this table triggered.</summary>
    public int CompactionCount { get; private set; }

    /// <summary>The last compaction failure (the flush itself had succeeded; compaction is retried at the next flush).</summary>
    public Exception? LastCompactionError { get; private set; }

    /// <summary>The client's current Bound lease (possibly expired: check <see cref="Lease.IsActiveAt"/>), or null.</summary>
    public Lease? FindByMac(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        lock (_gate)
        {
            return _leaseByMac.TryGetValue(mac, out AddressSlot? slot) && slot.Lease is { State: LeaseState.Bound } lease
                ? lease
                : null;
        }
    }

    /// <summary>Who has the address right now: an unexpired lease's client, else the client it is offered to, else the one it is reserved for.</summary>
    public PhysicalAddress? FindOwner(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Ipv4.TryToUInt32(address, out uint value))
        {
            return null;
        }

        lock (_gate)
        {
            AddressSlot? slot = FindSlot(value);
            if (slot is null)
            {
                return null;
            }

            long now = NowTicks();
            if (slot.Lease is { State: LeaseState.Bound } lease && lease.ExpiresAt.UtcTicks > now)
            {
                return lease.MacAddress;
            }

            return slot.IsHeldAt(now) ? slot.OfferedTo : slot.ReservedFor;
        }
    }

    /// <summary>True while the address is quarantined after a decline.</summary>
    public bool IsQuarantined(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Ipv4.TryToUInt32(address, out uint value))
        {
            return false;
        }

        lock (_gate)
        {
            return FindSlot(value)?.Lease is { State: LeaseState.Declined } lease && lease.ExpiresAt.UtcTicks > NowTicks();
        }
    }

    /// <summary>
    /// Chooses the address to offer <paramref name="mac"/> from <paramref name="pool"/> and holds it for the client for
    /// <see cref="LeaseTableOptions.OfferHold"/> (in memory). Returns the client's reservation (from any pool, not held:
    /// nobody else can get it anyway) when it has a usable one. Null when the pool has nothing left to offer.
    /// </summary>
    public IPAddress? Propose(PhysicalAddress mac, LeasePool pool, IPAddress? requested)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(pool);
        lock (_gate)
        {
            long now = NowTicks();
            DrainHolds(now);
            PoolState state = Resolve(pool);

            if (_reservations.TryGetValue(mac, out AddressSlot? reserved) && Classify(reserved, mac, now) == Availability.Own)
            {
                return reserved.Address;
            }

            if (_leaseByMac.TryGetValue(mac, out AddressSlot? own) && ReferenceEquals(own.Pool, state) && Classify(own, mac, now) == Availability.Own)
            {
                return Offer(own, mac, now);
            }

            if (requested is not null && Ipv4.TryToUInt32(requested, out uint wanted) && state.Pool.Contains(wanted))
            {
                AddressSlot? slot = state.Slots.GetValueOrDefault(wanted);
                if (Classify(slot, mac, now) is Availability.Fresh or Availability.Own)
                {
                    return Offer(slot ?? CreateSlot(wanted), mac, now);
                }
            }

            if (_offerByMac.TryGetValue(mac, out AddressSlot? offered) && ReferenceEquals(offered.Pool, state) && Classify(offered, mac, now) == Availability.Own)
            {
                return Offer(offered, mac, now);
            }

            while (state.Free.TryDequeue(out uint free))
            {
                AddressSlot? slot = state.Slots.GetValueOrDefault(free);
                if (Classify(slot, mac, now) is Availability.Fresh or Availability.Own)
                {
                    return Offer(slot ?? CreateSlot(free), mac, now);
                }
            }

            while (state.TryTakeScanStep(out long step))
            {
                uint value = state.ValueAtScan(step);
                AddressSlot? slot = state.Slots.GetValueOrDefault(value);
                if (Classify(slot, mac, now) is Availability.Fresh or Availability.Own)
                {
                    return Offer(slot ?? CreateSlot(value), mac, now);
                }

                if (slot is { LeasedByPeer: true })
                {
                    // Another server allocated here. What it granted since this table last read the store is not
                    // known yet and would be offered (and NAKed at the REQUEST): leave its block now.
                    state.LeapAfterPeerLease(step);
                }
            }

            while (state.TryTakeReclaimCandidate(now, out uint candidate, out long reclaimAt))
            {
                if (!state.Slots.TryGetValue(candidate, out AddressSlot? slot) || slot.Lease is null || slot.ReclaimAtTicks != reclaimAt)
                {
                    continue; // stale entry: renewed, reclaimed or freed since
                }

                // Held by another client's offer: skipped here, re-queued when that hold lapses.
                if (Classify(slot, mac, now) is Availability.Fresh or Availability.Own or Availability.Reclaimable)
                {
                    return Offer(slot, mac, now);
                }
            }

            return null;
        }
    }

    /// <summary>The client's reserved address, or null when it has none or the address is currently unusable (quarantined, or still leased to another client).</summary>
    public IPAddress? ProposeReserved(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        lock (_gate)
        {
            return _reservations.TryGetValue(mac, out AddressSlot? slot) && Classify(slot, mac, NowTicks()) == Availability.Own
                ? slot.Address
                : null;
        }
    }

    /// <summary>
    /// Grants (or renews) <paramref name="address"/> to <paramref name="mac"/> for a REQUEST → ACK, after checking no
    /// other client's lease, offer or reservation protects it and it is not quarantined. The address must lie in
    /// <paramref name="pool"/> or be reserved for the client (<paramref name="pool"/> null: reservations only).
    /// Appends a journal record without flushing; the client's previous lease, if at another address, ends.
    /// </summary>
    public CommitResult Commit(PhysicalAddress mac, IPAddress address, LeasePool? pool, TimeSpan leaseTime, string? hostName)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(address);
        if (leaseTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseTime), leaseTime, "Lease time must be positive.");
        }

        if (!Ipv4.TryToUInt32(address, out uint value))
        {
            return new CommitResult(CommitOutcome.NotInPool, null);
        }

        lock (_gate)
        {
            DateTimeOffset now = _time.GetUtcNow();
            PoolState? state = pool is null ? null : Resolve(pool);
            AddressSlot? slot = FindSlot(value);
            bool reservedForClient = slot?.ReservedFor is { } owner && owner.Equals(mac);
            if (!reservedForClient && (state is null || !state.Pool.Contains(value)))
            {
                return new CommitResult(CommitOutcome.NotInPool, null);
            }

            switch (Classify(slot, mac, now.UtcTicks))
            {
                case Availability.Quarantined:
                    return new CommitResult(CommitOutcome.Quarantined, null);
                case Availability.InUse:
                    if (slot is { LeasedByPeer: true } && state is not null)
                    {
                        // Offered here, granted meanwhile by another server: both scans are at the same addresses.
                        // Move this one as after a store refusal, or every client it offers to next loses the same way.
                        state.LeapAfterRefusal(state.ScanIndex(value));
                    }

                    return new CommitResult(CommitOutcome.AddressInUse, null);
                default:
                    break;
            }

            slot ??= CreateSlot(value);
            var lease = new Lease(
                mac,
                slot.Address,
                now,
                AddClamped(now, leaseTime),
                reservedForClient ? ReservationPoolName : state!.Pool.Name,
                TrimHostName(hostName),
                LeaseState.Bound);
            Journal(lease);
            ApplyLease(slot, lease);
            slot.LeasedByPeer = false;
            ClearHoldOn(slot);
            ClearOfferOf(mac);
            return new CommitResult(CommitOutcome.Granted, lease);
        }
    }

    /// <summary>Ends the client's lease on the address (journaled). False when the client holds no bound lease on it.</summary>
    public bool Release(PhysicalAddress mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(address);
        if (!Ipv4.TryToUInt32(address, out uint value))
        {
            return false;
        }

        lock (_gate)
        {
            AddressSlot? slot = FindSlot(value);
            if (slot?.Lease is not { State: LeaseState.Bound } bound || !bound.MacAddress.Equals(mac))
            {
                return false;
            }

            DateTimeOffset now = _time.GetUtcNow();
            Lease released = bound with { State = LeaseState.Released, ExpiresAt = bound.ExpiresAt < now ? bound.ExpiresAt : now };
            Journal(released);
            ApplyLease(slot, released);
            if (mac.Equals(slot.OfferedTo))
            {
                ClearHoldOn(slot);
            }

            return true;
        }
    }

    /// <summary>
    /// The client reports the address in use on the wire: quarantine it for <see cref="LeaseTableOptions.DeclineQuarantine"/>
    /// (journaled) and end the client's lease on it. Only the client that holds, was offered or reserved the address
    /// can decline it (so a stray DECLINE cannot take addresses from others); returns false otherwise.
    /// </summary>
    public bool Decline(PhysicalAddress mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(address);
        if (!Ipv4.TryToUInt32(address, out uint value))
        {
            return false;
        }

        lock (_gate)
        {
            DateTimeOffset now = _time.GetUtcNow();
            AddressSlot? slot = FindSlot(value);
            if (slot is null || Classify(slot, mac, now.UtcTicks) != Availability.Own)
            {
                return false;
            }

            string pool = slot.ReservedFor is not null
                ? ReservationPoolName
                : slot.Lease?.Pool ?? slot.Pool?.Pool.Name ?? ReservationPoolName;
            var declined = new Lease(mac, slot.Address, now, AddClamped(now, _options.DeclineQuarantine), pool, null, LeaseState.Declined);
            Journal(declined);
            ApplyLease(slot, declined);
            ClearHoldOn(slot);
            return true;
        }
    }

    /// <summary>
    /// Makes every record appended so far durable (one fsync), then compacts the journal when it holds more than
    /// <see cref="LeaseTableOptions.CompactRatio"/> times the live leases. Send the batch's replies after this returns.
    /// </summary>
    public void Flush()
    {
        lock (_journalGate)
        {
            _journal.Flush();
        }

        if (_journal is ICompactableLeaseJournal compactable)
        {
            CompactIfDue(compactable);
        }
    }

    /// <summary>
    /// Takes in a lease another server committed to a shared store (a change read from it; a refused grant's holder
    /// comes through <see cref="LearnRefusals"/>). Not journaled: it is durable there already. The record replaces
    /// what the table knew of the address, exactly as replay would, and marks it the other server's
    /// (<see cref="AddressSlot.LeasedByPeer"/>).
    /// </summary>
    public void Learn(in LeaseRecord record)
    {
        lock (_gate)
        {
            LearnFromPeer(record);
        }
    }

    /// <summary>
    /// Takes in the grants a shared store refused in one flush: each holder's lease (when the store read it) replaces
    /// this table's. And since a refusal means this server is allocating where another one is, each pool involved
    /// moves away once: when this table's scan for never-used addresses produced a refused address, the scan leaps
    /// from the other server's allocation front (<see cref="PoolState.LeapAfterRefusal"/>) instead of racing it
    /// address by address; once the pool is down to ended leases, the reclaim order moves instead
    /// (<see cref="PoolState.LeapReclaimsAfterRefusal"/>). Once per flush, not per refusal: one front, one leap.
    /// </summary>
    public void LearnRefusals(IReadOnlyList<LeaseConflict> conflicts)
    {
        ArgumentNullException.ThrowIfNull(conflicts);
        if (conflicts.Count == 0)
        {
            return; // the usual flush: nothing refused, nothing to take in
        }

        lock (_gate)
        {
            long now = NowTicks();
            var moved = new HashSet<PoolState>();
            foreach (LeaseConflict conflict in conflicts)
            {
                if (conflict.Holder is { } holder)
                {
                    LearnFromPeer(holder);
                }

                if (Ipv4.TryToUInt32(conflict.Refused.Address, out uint value) && FindPool(value) is { } pool && !moved.Contains(pool)
                    && (pool.LeapAfterRefusal(pool.ScanIndex(value)) || pool.LeapReclaimsAfterRefusal(now)))
                {
                    moved.Add(pool);
                }
            }
        }
    }

    /// <summary>A copy of every lease the table knows (bound, expired, released, declined), in address order. Thread-safe.</summary>
    public IReadOnlyList<Lease> Snapshot()
    {
        List<(uint Value, Lease Lease)> copy;
        lock (_gate)
        {
            copy = new List<(uint, Lease)>((int)Math.Min(_knownLeases, int.MaxValue));
            foreach (AddressSlot slot in AllSlots())
            {
                if (slot.Lease is not null)
                {
                    copy.Add((slot.Value, slot.Lease));
                }
            }
        }

        copy.Sort((a, b) => a.Value.CompareTo(b.Value));
        return copy.ConvertAll(x => x.Lease);
    }

    /// <summary>How the pool's addresses are used right now. Thread-safe; O(addresses touched in the pool).</summary>
    public PoolUsage GetUsage(LeasePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        lock (_gate)
        {
            PoolState state = Resolve(pool);
            long now = NowTicks();
            long bound = 0, offered = 0, quarantined = 0, reserved = 0;
            foreach (AddressSlot slot in state.Slots.Values)
            {
                Lease? lease = slot.Lease;
                if (lease is not null && lease.ExpiresAt.UtcTicks > now && lease.State != LeaseState.Released)
                {
                    if (lease.State == LeaseState.Bound)
                    {
                        bound++;
                    }
                    else
                    {
                        quarantined++;
                    }
                }
                else if (slot.IsHeldAt(now))
                {
                    offered++;
                }
                else if (slot.ReservedFor is not null)
                {
                    reserved++;
                }
            }

            return new PoolUsage(state.Pool.Name, state.Pool.Size, bound, offered, quarantined) { Reserved = reserved };
        }
    }

    /// <summary>The latest state per MAC address that <paramref name="records"/> leave, in address order (the replay rules of the table).</summary>
    internal static IReadOnlyList<Lease> LatestPerMac(IEnumerable<LeaseRecord> records)
    {
        using var journal = new InMemoryLeaseJournal();
        var table = new LeaseTable([], [], journal, TimeProvider.System, records);
        var byMac = new Dictionary<PhysicalAddress, Lease>();
        foreach (Lease lease in table.Snapshot())
        {
            // A client's Bound/Released lease always postdates a Declined one of the same client.
            if (!byMac.TryGetValue(lease.MacAddress, out Lease? seen)
                || (seen.State == LeaseState.Declined && (lease.State != LeaseState.Declined || lease.GrantedAt > seen.GrantedAt)))
            {
                byMac[lease.MacAddress] = lease;
            }
        }

        var result = byMac.Values.ToList();
        result.Sort((a, b) => Ipv4.ToUInt32(a.Address, nameof(records)).CompareTo(Ipv4.ToUInt32(b.Address, nameof(records))));
        return result;
    }

    private void LearnFromPeer(in LeaseRecord record)
    {
        if (ApplyRecord(record) is { } slot)
        {
            slot.LeasedByPeer = record.Kind == LeaseRecordKind.Bound;
        }
    }

    private AddressSlot? ApplyRecord(in LeaseRecord record)
    {
        if (record.MacAddress is null || record.Pool is null || !Ipv4.TryToUInt32(record.Address, out uint value))
        {
            IgnoredReplayRecords++;
            return null;
        }

        LeaseState state = record.Kind switch
        {
            LeaseRecordKind.Bound => LeaseState.Bound,
            LeaseRecordKind.Released => LeaseState.Released,
            LeaseRecordKind.Declined => LeaseState.Declined,
            _ => (LeaseState)(-1),
        };
        if (state < 0)
        {
            IgnoredReplayRecords++;
            return null;
        }

        AddressSlot slot = GetOrCreateSlot(value);
        ApplyLease(slot, new Lease(record.MacAddress, slot.Address, record.GrantedAt, record.ExpiresAt, record.Pool, record.HostName, state));
        return slot;
    }

    /// <summary>Makes <paramref name="lease"/> the slot's lease and keeps the per-client index consistent (shared by live operations and replay).</summary>
    private void ApplyLease(AddressSlot slot, Lease lease)
    {
        Lease? old = slot.Lease;
        if (old is null)
        {
            _knownLeases++;
        }
        else if (old.State != LeaseState.Declined && !old.MacAddress.Equals(lease.MacAddress))
        {
            DetachLease(old.MacAddress, slot); // the previous client's expired/released lease is gone
        }

        slot.Lease = lease;
        PhysicalAddress mac = lease.MacAddress;
        if (lease.State == LeaseState.Declined)
        {
            DetachLease(mac, slot);
        }
        else
        {
            if (_leaseByMac.TryGetValue(mac, out AddressSlot? previous) && !ReferenceEquals(previous, slot))
            {
                // One lease per client: it moved, so its previous address is free again.
                previous.Lease = null;
                _knownLeases--;
                MakeDiscoverable(previous);
            }

            _leaseByMac[mac] = slot;
        }

        QueueForReclaim(slot);
    }

    private void DetachLease(PhysicalAddress mac, AddressSlot slot)
    {
        if (_leaseByMac.TryGetValue(mac, out AddressSlot? current) && ReferenceEquals(current, slot))
        {
            _leaseByMac.Remove(mac);
        }
    }

    private IPAddress Offer(AddressSlot slot, PhysicalAddress mac, long now)
    {
        if (_offerByMac.TryGetValue(mac, out AddressSlot? previous) && !ReferenceEquals(previous, slot))
        {
            ClearOfferOf(mac);
        }

        ClearHoldOn(slot); // a lapsed hold of another client, not yet drained
        long expires = now > long.MaxValue - _offerHoldTicks ? long.MaxValue : now + _offerHoldTicks;
        slot.OfferedTo = mac;
        slot.OfferExpiresTicks = expires;
        _offerByMac[mac] = slot;
        _holds.Enqueue(new HoldEntry(slot, mac, expires));
        return slot.Address;
    }

    /// <summary>Ends whatever hold is on the slot (the slot itself is being bound, declined, or re-offered).</summary>
    private void ClearHoldOn(AddressSlot slot)
    {
        if (slot.OfferedTo is { } holder)
        {
            if (_offerByMac.TryGetValue(holder, out AddressSlot? current) && ReferenceEquals(current, slot))
            {
                _offerByMac.Remove(holder);
            }

            slot.OfferedTo = null;
        }
    }

    /// <summary>Ends the client's outstanding offer, wherever it is, and makes that address allocatable again.</summary>
    private void ClearOfferOf(PhysicalAddress mac)
    {
        if (_offerByMac.Remove(mac, out AddressSlot? slot) && mac.Equals(slot.OfferedTo))
        {
            slot.OfferedTo = null;
            MakeDiscoverable(slot);
        }
    }

    private void DrainHolds(long now)
    {
        while (_holds.TryPeek(out HoldEntry hold) && hold.ExpiresTicks <= now)
        {
            _holds.Dequeue();
            AddressSlot slot = hold.Slot;
            if (hold.Mac.Equals(slot.OfferedTo) && slot.OfferExpiresTicks == hold.ExpiresTicks)
            {
                ClearHoldOn(slot);
                MakeDiscoverable(slot);
            }
        }
    }

    /// <summary>Puts a slot that just lost its hold or lease back where allocation looks: dropped (→ free queue) when empty, else the reclaim heap.</summary>
    private void MakeDiscoverable(AddressSlot slot)
    {
        if (!slot.IsEmpty)
        {
            QueueForReclaim(slot);
            return;
        }

        if (slot.Pool is not { } pool)
        {
            if (_outside.TryGetValue(slot.Value, out AddressSlot? current) && ReferenceEquals(current, slot))
            {
                _outside.Remove(slot.Value);
            }

            return;
        }

        if (pool.Slots.TryGetValue(slot.Value, out AddressSlot? mine) && ReferenceEquals(mine, slot))
        {
            pool.Slots.Remove(slot.Value);
            if (!_replaying && !pool.IsAheadOfScan(pool.ScanIndex(slot.Value)))
            {
                pool.Free.Enqueue(slot.Value); // still ahead of the scan, the scan finds it
            }
        }
    }

    private void QueueForReclaim(AddressSlot slot)
    {
        if (!_replaying && slot.Pool is { } pool && slot.Lease is not null && slot.ReservedFor is null)
        {
            pool.Reclaim.Enqueue(slot.Value, slot.ReclaimAtTicks);
            pool.PruneReclaimIfBloated();
        }
    }

    private void CompactIfDue(ICompactableLeaseJournal journal)
    {
        long records;
        lock (_journalGate)
        {
            records = journal.RecordCount;
        }

        if (records < _options.CompactAfterRecords)
        {
            return;
        }

        lock (_gate)
        {
            if (records <= Math.Max(_knownLeases, 1) * _options.CompactRatio)
            {
                return;
            }

            List<LeaseRecord> live = CollectLive(NowTicks());
            try
            {
                lock (_journalGate)
                {
                    journal.Compact(live);
                }

                CompactionCount++;
                LastCompactionError = null;
            }
            catch (IOException ex)
            {
                LastCompactionError = ex;
            }
            catch (UnauthorizedAccessException ex)
            {
                LastCompactionError = ex;
            }
        }
    }

    /// <summary>Records that rebuild the current state; forgets what no longer matters (see below).</summary>
    private List<LeaseRecord> CollectLive(long now)
    {
        var live = new List<LeaseRecord>((int)Math.Min(_knownLeases, int.MaxValue));
        List<AddressSlot>? ended = null;
        foreach (AddressSlot slot in AllSlots())
        {
            if (slot.Lease is not { } lease)
            {
                continue;
            }

            // Ended quarantines, and lapsed leases on addresses no pool or reservation covers any more
            // (nothing can renew them), are forgotten rather than carried into the new journal.
            bool lapsed = lease.ExpiresAt.UtcTicks <= now || lease.State == LeaseState.Released;
            if (lapsed && (lease.State == LeaseState.Declined || (slot.Pool is null && slot.ReservedFor is null)))
            {
                (ended ??= []).Add(slot);
                continue;
            }

            live.Add(LeaseRecord.From(lease));
        }

        if (ended is not null)
        {
            foreach (AddressSlot slot in ended)
            {
                DetachLease(slot.Lease!.MacAddress, slot);
                slot.Lease = null;
                _knownLeases--;
                MakeDiscoverable(slot);
            }
        }

        return live;
    }

    private IEnumerable<AddressSlot> AllSlots()
    {
        foreach (PoolState pool in _pools)
        {
            foreach (AddressSlot slot in pool.Slots.Values)
            {
                yield return slot;
            }
        }

        foreach (AddressSlot slot in _outside.Values)
        {
            yield return slot;
        }
    }

    private void Journal(Lease lease)
    {
        LeaseRecord record = LeaseRecord.From(lease);
        lock (_journalGate)
        {
            _journal.Append(in record);
        }
    }

    private static Availability Classify(AddressSlot? slot, PhysicalAddress mac, long now)
    {
        if (slot is null)
        {
            return Availability.Fresh;
        }

        Lease? lease = slot.Lease;
        if (lease is not null && lease.ExpiresAt.UtcTicks > now)
        {
            if (lease.State == LeaseState.Declined)
            {
                return Availability.Quarantined;
            }

            if (lease.State == LeaseState.Bound && !lease.MacAddress.Equals(mac))
            {
                return Availability.InUse;
            }
        }

        bool held = slot.IsHeldAt(now);
        if (held && !mac.Equals(slot.OfferedTo))
        {
            return Availability.InUse;
        }

        if (slot.ReservedFor is not null)
        {
            return slot.ReservedFor.Equals(mac) ? Availability.Own : Availability.InUse;
        }

        if (held || (lease is not null && lease.State != LeaseState.Declined && lease.MacAddress.Equals(mac)))
        {
            return Availability.Own;
        }

        return lease is null || lease.State == LeaseState.Declined ? Availability.Fresh : Availability.Reclaimable;
    }

    private PoolState Resolve(LeasePool pool)
    {
        if (_poolsByName.TryGetValue(pool.Name, out PoolState? state)
            && (ReferenceEquals(state.Pool, pool) || (state.Pool.FirstValue == pool.FirstValue && state.Pool.LastValue == pool.LastValue)))
        {
            return state;
        }

        throw new ArgumentException($"Pool '{pool}' is not one of this lease table's pools.", nameof(pool));
    }

    private PoolState? FindPool(uint value)
    {
        int lo = 0, hi = _pools.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            LeasePool pool = _pools[mid].Pool;
            if (value < pool.FirstValue)
            {
                hi = mid - 1;
            }
            else if (value > pool.LastValue)
            {
                lo = mid + 1;
            }
            else
            {
                return _pools[mid];
            }
        }

        return null;
    }

    private AddressSlot? FindSlot(uint value) =>
        FindPool(value) is { } pool ? pool.Slots.GetValueOrDefault(value) : _outside.GetValueOrDefault(value);

    private AddressSlot GetOrCreateSlot(uint value) => FindSlot(value) ?? CreateSlot(value);

    private AddressSlot CreateSlot(uint value)
    {
        PoolState? pool = FindPool(value);
        var slot = new AddressSlot(value, Ipv4.FromUInt32(value), pool);
        (pool?.Slots ?? _outside).Add(value, slot);
        return slot;
    }

    private string? TrimHostName(string? hostName)
    {
        if (hostName is null || hostName.Length <= _options.MaxHostNameLength)
        {
            return hostName;
        }

        int length = _options.MaxHostNameLength;
        if (length > 0 && char.IsHighSurrogate(hostName[length - 1]))
        {
            length--;
        }

        return hostName[..length];
    }

    private long NowTicks() => _time.GetUtcNow().UtcTicks;

    private static long ScanStart(LeasePool pool, double fraction) =>
        double.IsFinite(fraction) && fraction > 0 && fraction < 1 ? Math.Min((long)(pool.Size * fraction), pool.Size - 1) : 0;

    private static DateTimeOffset AddClamped(DateTimeOffset now, TimeSpan span) =>
        span.Ticks >= DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks ? DateTimeOffset.MaxValue : now + span;

    private enum Availability
    {
        /// <summary>Nobody's: never used, freed, or its quarantine ended.</summary>
        Fresh,

        /// <summary>This client's lease, offer or reservation.</summary>
        Own,

        /// <summary>Another client's expired or released lease: usable, but kept for that client while anything else is left.</summary>
        Reclaimable,

        /// <summary>Another client's unexpired lease, live offer or reservation.</summary>
        InUse,

        /// <summary>Declined, quarantine running.</summary>
        Quarantined,
    }

    private readonly record struct HoldEntry(AddressSlot Slot, PhysicalAddress Mac, long ExpiresTicks);
}
