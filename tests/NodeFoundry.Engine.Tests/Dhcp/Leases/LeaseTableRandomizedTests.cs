using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

/// <summary>
/// Random propose/commit/release/decline/refusal/restart sequences across many clients, checked after every step against
/// an independent model of who may hold what. The model is the specification: it decides which commits must
/// succeed, which offers are legal, when a pool is really exhausted, and where a returning client must land.
/// </summary>
public sealed class LeaseTableRandomizedTests
{
    private static readonly TimeSpan OfferHold = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Quarantine = TimeSpan.FromMinutes(10);

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 24; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void No_address_is_ever_held_by_two_clients(int seed)
    {
        new Run(seed, compact: seed % 2 == 0).Execute(steps: 2500);
    }

    private sealed class Run
    {
        private readonly Random _random;
        private readonly FakeTimeProvider _time = new();
        private readonly InMemoryLeaseJournal _journal = new();
        private readonly LeasePool[] _pools = [Pool("pxe", "10.0.0.10", "10.0.0.29", leaseMinutes: 5), Pool("normal", "10.0.1.0", "10.0.1.15", leaseMinutes: 60)];
        private readonly KeyValuePair<PhysicalAddress, IPAddress>[] _reservations =
            [Reserve(1000, "10.0.0.12"), Reserve(1001, "10.0.0.20"), Reserve(1002, "10.0.1.3"), Reserve(1003, "10.0.9.1"), Reserve(1004, "10.0.9.2")];

        private readonly PhysicalAddress[] _macs;
        private readonly uint[] _universe;
        private readonly LeaseTableOptions _options;

        // The model.
        private readonly Dictionary<uint, (PhysicalAddress Mac, DateTimeOffset Expires, LeaseState State)> _leaseAt = [];
        private readonly Dictionary<PhysicalAddress, uint> _addressOf = [];
        private readonly Dictionary<PhysicalAddress, (uint Address, DateTimeOffset Until)> _hold = [];
        private readonly Dictionary<uint, PhysicalAddress> _reservedAt = [];
        private readonly Dictionary<PhysicalAddress, uint> _reservationOf = [];

        private LeaseTable _table;
        private int _granted;
        private int _exhausted;

        public Run(int seed, bool compact)
        {
            _random = new Random(seed);
            _options = new LeaseTableOptions
            {
                OfferHold = OfferHold,
                DeclineQuarantine = Quarantine,
                CompactAfterRecords = compact ? 40 : long.MaxValue,
                CompactRatio = 2,
            };
            _macs = [.. Enumerable.Range(1, 70).Select(Mac), .. _reservations.Select(r => r.Key)];
            foreach ((PhysicalAddress mac, IPAddress address) in _reservations)
            {
                _reservedAt[Value(address)] = mac;
                _reservationOf[mac] = Value(address);
            }

            _universe = [.. _pools.SelectMany(p => Enumerable.Range(0, (int)p.Size).Select(i => Value(p.First) + (uint)i)), Value(Ip("10.0.9.1")), Value(Ip("10.0.9.2")), Value(Ip("10.0.9.3"))];
            _table = NewTable(null);
        }

        private DateTimeOffset Now => _time.GetUtcNow();

        public void Execute(int steps)
        {
            for (int step = 0; step < steps; step++)
            {
                int roll = _random.Next(100);
                PhysicalAddress mac = _macs[_random.Next(_macs.Length)];
                if (roll < 40)
                {
                    DiscoverRequest(mac);
                }
                else if (roll < 55)
                {
                    InitReboot(mac);
                }
                else if (roll < 63)
                {
                    Release(mac);
                }
                else if (roll < 67)
                {
                    Decline(mac);
                }
                else if (roll < 90)
                {
                    _time.Advance(TimeSpan.FromSeconds(_random.Next(0, 8)));
                }
                else if (roll < 92)
                {
                    _time.Advance(TimeSpan.FromMinutes(_random.Next(1, 20)));
                }
                else if (roll < 97)
                {
                    _table.Flush();
                }
                else if (roll < 99)
                {
                    Refused(mac);
                }
                else
                {
                    Restart();
                }

                CheckInvariants();
                if (step % 10 == 0)
                {
                    // Replaying everything journaled so far (flushed or not) rebuilds exactly this state.
                    var shadow = new LeaseTable(_pools, _reservations, new InMemoryLeaseJournal(), _time, _journal.Records, _options);
                    Assert.Equal(_table.Snapshot(), shadow.Snapshot());
                }
            }

            Assert.True(_granted > 100, $"only {_granted} grants");
            Assert.True(_exhausted > 0, "the pools never ran out; the test is too gentle");
        }

        private LeaseTable NewTable(IEnumerable<LeaseRecord>? replay) =>
            new(_pools, _reservations, _journal, _time, replay, _options);

        private void DiscoverRequest(PhysicalAddress mac)
        {
            LeasePool pool = _pools[_random.Next(_pools.Length)];
            IPAddress? requested = _random.Next(3) switch
            {
                0 => null,
                1 => Ip(_universe[_random.Next(_universe.Length)]),
                _ => _addressOf.TryGetValue(mac, out uint mine) ? Ip(mine) : null,
            };

            IPAddress? offered = _table.Propose(mac, pool, requested);
            CheckOffer(mac, pool, requested, offered);
            if (offered is null)
            {
                _exhausted++;
                return;
            }

            uint value = Value(offered);
            if (!(_reservationOf.TryGetValue(mac, out uint reserved) && reserved == value))
            {
                _hold[mac] = (value, Now + OfferHold);
            }

            if (_random.Next(4) != 0)
            {
                _time.Advance(TimeSpan.FromSeconds(_random.Next(0, 3)));
                CommitAndCheck(mac, value, pool);
            }
        }

        private void InitReboot(PhysicalAddress mac)
        {
            uint value = _random.Next(3) == 0 && _addressOf.TryGetValue(mac, out uint mine) ? mine : _universe[_random.Next(_universe.Length)];
            LeasePool? pool = _random.Next(5) == 0 ? null : _pools.FirstOrDefault(p => p.Contains(Ip(value))) ?? _pools[0];
            CommitAndCheck(mac, value, pool);
        }

        private void CommitAndCheck(PhysicalAddress mac, uint value, LeasePool? pool)
        {
            TimeSpan leaseTime = TimeSpan.FromSeconds(_random.Next(10, 1800));
            CommitResult result = _table.Commit(mac, Ip(value), pool, leaseTime, _random.Next(2) == 0 ? null : "h" + _random.Next(100));

            bool reservedForMe = _reservedAt.TryGetValue(value, out PhysicalAddress? reservedFor) && reservedFor.Equals(mac);
            CommitOutcome expected =
                !reservedForMe && (pool is null || !pool.Contains(Ip(value))) ? CommitOutcome.NotInPool
                : IsQuarantined(value) ? CommitOutcome.Quarantined
                : ProtectedFromOthers(value, mac) ? CommitOutcome.AddressInUse
                : CommitOutcome.Granted;
            Assert.Equal(expected, result.Outcome);
            if (expected != CommitOutcome.Granted)
            {
                return;
            }

            _granted++;
            Assert.Equal(Now + leaseTime, result.Lease!.ExpiresAt);
            if (_leaseAt.TryGetValue(value, out var previous) && previous.State != LeaseState.Declined && !previous.Mac.Equals(mac))
            {
                RemoveAddressOf(previous.Mac, value);
            }

            if (_addressOf.TryGetValue(mac, out uint old) && old != value)
            {
                _leaseAt.Remove(old);
            }

            _leaseAt[value] = (mac, Now + leaseTime, LeaseState.Bound);
            _addressOf[mac] = value;
            _hold.Remove(mac);
            DropHoldsOn(value);
        }

        private void Release(PhysicalAddress mac)
        {
            uint value = _random.Next(4) != 0 && _addressOf.TryGetValue(mac, out uint mine) ? mine : _universe[_random.Next(_universe.Length)];
            bool expected = _leaseAt.TryGetValue(value, out var lease) && lease.State == LeaseState.Bound && lease.Mac.Equals(mac);
            Assert.Equal(expected, _table.Release(mac, Ip(value)));
            if (expected)
            {
                _leaseAt[value] = (mac, lease.Expires < Now ? lease.Expires : Now, LeaseState.Released);
                if (_hold.TryGetValue(mac, out var hold) && hold.Address == value)
                {
                    _hold.Remove(mac);
                }
            }
        }

        private void Decline(PhysicalAddress mac)
        {
            uint value = _random.Next(4) != 0 && _addressOf.TryGetValue(mac, out uint mine) ? mine
                : _random.Next(2) == 0 && _hold.TryGetValue(mac, out var h) ? h.Address
                : _universe[_random.Next(_universe.Length)];
            bool expected = MayDecline(value, mac);
            Assert.Equal(expected, _table.Decline(mac, Ip(value)));
            if (expected)
            {
                if (_leaseAt.TryGetValue(value, out var lease) && lease.State != LeaseState.Declined)
                {
                    RemoveAddressOf(lease.Mac, value);
                }

                _leaseAt[value] = (mac, Now + Quarantine, LeaseState.Declined);
                DropHoldsOn(value);
            }
        }

        /// <summary>
        /// A shared store refused grants of one to three random addresses in one flush and could not say who holds
        /// them: nothing the table knows changes (the model neither), but its scan or reclaim order may leap. The
        /// offers and the exhaustion check that follow prove no leap loses an address or offers one twice.
        /// </summary>
        private void Refused(PhysicalAddress mac)
        {
            var conflicts = Enumerable.Range(0, _random.Next(1, 4)).Select(_ =>
                new LeaseConflict(new LeaseRecord(LeaseRecordKind.Bound, mac, Ip(_universe[_random.Next(_universe.Length)]), Now, Now + TimeSpan.FromMinutes(5), _pools[0].Name, null), Holder: null));
            _table.LearnRefusals([.. conflicts]);
        }

        private void Restart()
        {
            _table.Flush(); // may compact, which forgets ended quarantines
            IReadOnlyList<Lease> before = _table.Snapshot();
            var replayed = _journal.DurableRecords;
            _table = NewTable(replayed);
            Assert.Equal(before, _table.Snapshot());
            _hold.Clear(); // offers live in memory only
        }

        private void CheckOffer(PhysicalAddress mac, LeasePool pool, IPAddress? requested, IPAddress? offered)
        {
            bool hasUsableReservation = _reservationOf.TryGetValue(mac, out uint reserved) && !IsQuarantined(reserved) && !ProtectedFromOthers(reserved, mac);
            if (offered is null)
            {
                Assert.False(hasUsableReservation);
                foreach (uint value in _universe.Where(v => pool.Contains(Ip(v))))
                {
                    Assert.True(IsQuarantined(value) || ProtectedFromOthers(value, mac), $"pool {pool.Name} reported exhausted but {Ip(value)} is usable by {mac}");
                }

                return;
            }

            uint got = Value(offered);
            Assert.False(IsQuarantined(got), $"offered quarantined {offered}");
            Assert.False(ProtectedFromOthers(got, mac), $"offered {offered} to {mac} while another client has it");
            if (hasUsableReservation)
            {
                Assert.Equal(reserved, got);
                return;
            }

            Assert.True(pool.Contains(offered), $"{offered} is not in {pool}");

            // Stickiness: a client's known lease in this pool comes back whenever nobody else protects it.
            if (_addressOf.TryGetValue(mac, out uint mine) && pool.Contains(Ip(mine)) && !IsQuarantined(mine) && !ProtectedFromOthers(mine, mac))
            {
                Assert.Equal(mine, got);
                return;
            }

            if (requested is not null && pool.Contains(requested))
            {
                uint wanted = Value(requested);
                bool neverOrOwn = !_leaseAt.TryGetValue(wanted, out var lease) || lease.Mac.Equals(mac) || lease.State == LeaseState.Declined;
                if (neverOrOwn && !IsQuarantined(wanted) && !ProtectedFromOthers(wanted, mac) && !_reservedAt.ContainsKey(wanted))
                {
                    Assert.Equal(wanted, got);
                }
            }
        }

        private void CheckInvariants()
        {
            DateTimeOffset now = Now;
            foreach (uint value in _universe)
            {
                PhysicalAddress? expected =
                    _leaseAt.TryGetValue(value, out var lease) && lease.State == LeaseState.Bound && lease.Expires > now ? lease.Mac
                    : _hold.FirstOrDefault(h => h.Value.Address == value && h.Value.Until > now).Key
                      ?? _reservedAt.GetValueOrDefault(value);
                Assert.Equal(expected, _table.FindOwner(Ip(value)));
                Assert.Equal(IsQuarantined(value), _table.IsQuarantined(Ip(value)));
            }

            foreach (PhysicalAddress mac in _macs)
            {
                Lease? found = _table.FindByMac(mac);
                if (_addressOf.TryGetValue(mac, out uint value) && _leaseAt[value].State == LeaseState.Bound)
                {
                    Assert.NotNull(found);
                    Assert.Equal(Ip(value), found.Address);
                    Assert.Equal(_leaseAt[value].Expires, found.ExpiresAt);
                }
                else
                {
                    Assert.Null(found);
                }
            }

            IReadOnlyList<Lease> snapshot = _table.Snapshot();
            Assert.Equal(snapshot.Count, snapshot.Select(l => l.Address).Distinct().Count());
            var active = snapshot.Where(l => l.IsActiveAt(now)).ToList();
            Assert.Equal(active.Count, active.Select(l => l.MacAddress).Distinct().Count());
        }

        private bool IsQuarantined(uint value) =>
            _leaseAt.TryGetValue(value, out var lease) && lease.State == LeaseState.Declined && lease.Expires > Now;

        /// <summary>Another client's unexpired lease, live offer or reservation covers the address.</summary>
        private bool ProtectedFromOthers(uint value, PhysicalAddress mac)
        {
            if (_reservedAt.TryGetValue(value, out PhysicalAddress? reservedFor) && !reservedFor.Equals(mac))
            {
                return true;
            }

            if (_leaseAt.TryGetValue(value, out var lease) && lease.State == LeaseState.Bound && lease.Expires > Now && !lease.Mac.Equals(mac))
            {
                return true;
            }

            return _hold.Any(h => !h.Key.Equals(mac) && h.Value.Address == value && h.Value.Until > Now);
        }

        private bool MayDecline(uint value, PhysicalAddress mac)
        {
            if (IsQuarantined(value) || ProtectedFromOthers(value, mac))
            {
                return false;
            }

            if (_reservedAt.TryGetValue(value, out PhysicalAddress? reservedFor))
            {
                return reservedFor.Equals(mac);
            }

            if (_leaseAt.TryGetValue(value, out var lease) && lease.State != LeaseState.Declined && lease.Mac.Equals(mac))
            {
                return true;
            }

            return _hold.TryGetValue(mac, out var hold) && hold.Address == value && hold.Until > Now;
        }

        private void RemoveAddressOf(PhysicalAddress mac, uint value)
        {
            if (_addressOf.TryGetValue(mac, out uint current) && current == value)
            {
                _addressOf.Remove(mac);
            }
        }

        private void DropHoldsOn(uint value)
        {
            foreach (PhysicalAddress holder in _hold.Where(h => h.Value.Address == value).Select(h => h.Key).ToList())
            {
                _hold.Remove(holder);
            }
        }
    }
}
