using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

/// <summary>
/// Two servers sharing a lease store, modelled without sockets: two <see cref="LeaseTable"/>s, an arbiter that keeps
/// the first grant of each address (as the database's primary key does), and a sync that teaches each table the
/// other's grants every few grants and at once after a refusal (as <c>DhcpServer</c> does). Their scans start close
/// together, so one scan soon runs into the other's allocation front. A table that then only learned the holder
/// would chase that front and lose a race per client; <see cref="LeaseTable.LearnRefusals"/> moves its scan away. The
/// same holds for reclaiming ended leases, which every server does in the same (oldest-first) order.
/// </summary>
public sealed class LeaseTableContentionTests
{
    private const int SyncEveryGrants = 20;

    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(0.40, 0.45)]
    [InlineData(0.45, 0.40)]
    [InlineData(0.0, 0.0)]
    [InlineData(0.10, 0.90)]
    public void Two_scans_that_meet_collide_a_few_times_not_once_per_client(double startA, double startB)
    {
        LeasePool pool = Pool("racks", "10.0.0.0", "10.0.8.99"); // 2,148 addresses for 2,000 clients: the scans must meet
        var servers = new[] { new Server(pool, startA, _time), new Server(pool, startB, _time) };
        var arbiter = new Arbiter();
        BindWave(servers, arbiter, firstMac: 1, count: 2000);

        Assert.Equal(2000, arbiter.Holders.Count);
        Assert.True(arbiter.Refusals <= 8, $"{arbiter.Refusals} refusals for 2,000 clients: a scan chased the other's front");
    }

    [Fact]
    public void Two_servers_reclaiming_expired_leases_do_not_race_for_each_one()
    {
        LeasePool pool = Pool("pxe", "10.0.0.0", "10.0.1.243", leaseMinutes: 5); // 500 addresses, 5-minute bootstrap leases
        var servers = new[] { new Server(pool, 0.2, _time), new Server(pool, 0.7, _time) };
        var arbiter = new Arbiter();
        BindWave(servers, arbiter, firstMac: 1, count: 500);
        int afterFirstWave = arbiter.Refusals;

        // The rack is re-cabled with new machines once every bootstrap lease has ended: every address must be reclaimed.
        _time.Advance(TimeSpan.FromMinutes(6));
        BindWave(servers, arbiter, firstMac: 10_001, count: 480);

        int reclaimRefusals = arbiter.Refusals - afterFirstWave;
        Assert.True(reclaimRefusals <= 8, $"{reclaimRefusals} refusals for 480 clients reclaiming expired leases: the servers reclaimed in the same order");
    }

    /// <summary>Binds <paramref name="count"/> new clients through the servers in turn; each must be bound within three tries.</summary>
    private static void BindWave(Server[] servers, Arbiter arbiter, int firstMac, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Server server = servers[i % 2]; // both relays busy at once: the servers take turns
            PhysicalAddress mac = Mac(firstMac + i);
            bool bound = false;
            for (int attempt = 0; attempt < 3 && !bound; attempt++)
            {
                bound = server.TryBind(mac, arbiter);
            }

            Assert.True(bound, $"client {firstMac + i} was refused three times in a row; {arbiter.Refusals} refusals so far");
        }
    }

    [Fact]
    public void A_refusal_moves_the_scan_and_the_skipped_addresses_are_still_offered_later()
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.29"); // 20 addresses
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);

        // The store says another server's client holds .10: the scan leaps half of what it has left (19 → 9).
        table.LearnRefusals([GrantTakenElsewhere(table, pool, Mac(1), Mac(99))]);

        Assert.Equal(Mac(99), table.FindOwner(Ip("10.0.0.10")));
        var offered = Enumerable.Range(2, 20).Select(i => table.Propose(Mac(i), pool, null)?.ToString()).ToList();
        string?[] expected =
        [
            "10.0.0.20", "10.0.0.21", "10.0.0.22", "10.0.0.23", "10.0.0.24", "10.0.0.25", "10.0.0.26", "10.0.0.27", "10.0.0.28", "10.0.0.29",
            "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14", "10.0.0.15", "10.0.0.16", "10.0.0.17", "10.0.0.18", "10.0.0.19",
            null,
        ];
        Assert.Equal(expected, offered); // Mac(1)'s first try is now Mac(99)'s; every other address offered once
    }

    [Fact]
    public void A_refusal_in_reclaim_order_sets_the_older_half_aside_until_the_rest_is_used()
    {
        var (table, pool) = EightEndedLeases();
        table.LearnRefusals([GrantTakenElsewhere(table, pool, Mac(20), Mac(99))]); // .10, the oldest

        // Seven leases are due: the older three (.11-.13, where the other server is reclaiming) wait for the rest.
        var offered = Enumerable.Range(21, 8).Select(i => table.Propose(Mac(i), pool, null)?.ToString()).ToList();
        Assert.Equal(["10.0.0.14", "10.0.0.15", "10.0.0.16", "10.0.0.17", "10.0.0.11", "10.0.0.12", "10.0.0.13", null], offered);
    }

    [Fact]
    public void Refusals_of_one_flush_move_the_reclaim_order_once()
    {
        var (table, pool) = EightEndedLeases();
        var conflicts = new[] { GrantTakenElsewhere(table, pool, Mac(20), Mac(90)), GrantTakenElsewhere(table, pool, Mac(21), Mac(91)) }; // .10, .11

        table.LearnRefusals(conflicts);

        // Six leases are due (.12-.17): one leap sets the older three aside. A leap per refusal would set .15 aside too.
        var offered = Enumerable.Range(30, 7).Select(i => table.Propose(Mac(i), pool, null)?.ToString()).ToList();
        Assert.Equal(["10.0.0.15", "10.0.0.16", "10.0.0.17", "10.0.0.12", "10.0.0.13", "10.0.0.14", null], offered);
        Assert.Equal(Mac(91), table.FindOwner(Ip("10.0.0.11")));
    }

    [Fact]
    public void A_scan_that_reaches_another_server_s_leases_leaps_before_offering_any_of_them()
    {
        LeasePool pool = Pool("racks", "10.0.0.0", "10.0.0.255"); // 256 addresses
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);

        // Another server's block starts at .10; this table read its first ten leases (.10-.19), not yet what came after.
        for (int i = 10; i < 20; i++)
        {
            table.Learn(new LeaseRecord(LeaseRecordKind.Bound, Mac(1000 + i), Ip($"10.0.0.{i}"), _time.GetUtcNow(), _time.GetUtcNow().AddHours(1), "racks", null));
        }

        var first = Enumerable.Range(1, 11).Select(i => table.Propose(Mac(i), pool, null)!.ToString()).ToList();

        // .0-.9, then at .10 (step 10, 245 steps left) the scan leaps to step 11 + 122 = .133 instead of walking on.
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"10.0.0.{i}"), "10.0.0.133"], first);
        var rest = Enumerable.Range(12, 300).Select(i => table.Propose(Mac(i), pool, null)).OfType<IPAddress>().Select(a => a.ToString()).ToList();
        Assert.Equal(256 - 10 - 11, rest.Count); // every other address, once
        Assert.Equal(rest.Count, rest.Distinct().Count());
        Assert.Equal("10.0.0.134", rest[0]);
        Assert.Contains("10.0.0.20", rest);
    }

    [Fact]
    public void A_lease_this_table_granted_or_replayed_never_moves_the_scan()
    {
        LeasePool pool = Pool("racks", "10.0.0.0", "10.0.0.255");
        var journal = new InMemoryLeaseJournal();
        var table = new LeaseTable([pool], [], journal, _time);
        Assert.Equal(CommitOutcome.Granted, table.Commit(Mac(1), Ip("10.0.0.3"), pool, pool.LeaseTime, null).Outcome); // an INIT-REBOOT

        // The scan walks over its own lease; after a restart (replay) over the replayed one too.
        Assert.Equal(["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.4"], Enumerable.Range(2, 4).Select(i => table.Propose(Mac(i), pool, null)!.ToString()));
        var restarted = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time, journal.Records);
        Assert.Equal(["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.4"], Enumerable.Range(2, 4).Select(i => restarted.Propose(Mac(i), pool, null)!.ToString()));
    }

    [Fact]
    public void A_request_for_an_address_another_server_granted_since_the_offer_moves_the_scan()
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.29");
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);
        Assert.Equal(Ip("10.0.0.10"), table.Propose(Mac(1), pool, null));

        // Before the REQUEST, a read of the store says another server's client got .10: this server NAKs it ...
        table.Learn(new LeaseRecord(LeaseRecordKind.Bound, Mac(99), Ip("10.0.0.10"), _time.GetUtcNow(), _time.GetUtcNow().AddHours(1), "racks", null));
        Assert.Equal(CommitOutcome.AddressInUse, table.Commit(Mac(1), Ip("10.0.0.10"), pool, pool.LeaseTime, null).Outcome);

        // ... and, both scans being at the same addresses, leaps as after a refusal: 19 steps left, 9 leapt over.
        Assert.Equal(Ip("10.0.0.20"), table.Propose(Mac(2), pool, null));
    }

    [Fact]
    public void A_refusal_of_an_address_the_scan_did_not_produce_leaves_the_scan_where_it_is()
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.29");
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);
        Assert.Equal(Ip("10.0.0.10"), table.Propose(Mac(1), pool, null));

        // A client asked for .25 by name (option 50) and lost it: the scan itself has met nobody.
        Assert.Equal(Ip("10.0.0.25"), table.Propose(Mac(2), pool, Ip("10.0.0.25")));
        var holder = new LeaseRecord(LeaseRecordKind.Bound, Mac(99), Ip("10.0.0.25"), _time.GetUtcNow(), _time.GetUtcNow().AddHours(1), "racks", null);
        table.LearnRefusals([new LeaseConflict(holder with { MacAddress = Mac(2) }, holder)]);

        Assert.Equal(Ip("10.0.0.11"), table.Propose(Mac(3), pool, null));
    }

    [Fact]
    public void An_address_freed_inside_a_skipped_stretch_is_offered_once()
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.29");
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);
        table.LearnRefusals([GrantTakenElsewhere(table, pool, Mac(1), Mac(99))]); // .10: the scan leaps to .20

        // A client asks for .12 by name (inside the stretch the scan leapt over), is offered it and never comes back:
        // when the hold lapses the address must stay findable (by the scan or the free queue), not be lost or doubled.
        Assert.Equal(Ip("10.0.0.12"), table.Propose(Mac(50), pool, Ip("10.0.0.12")));
        _time.Advance(TimeSpan.FromSeconds(31));

        var offered = Enumerable.Range(2, 20).Select(i => table.Propose(Mac(i), pool, null)).OfType<IPAddress>().Select(a => a.ToString()).ToList();
        Assert.Equal(offered.Count, offered.Distinct().Count());
        Assert.Contains("10.0.0.12", offered);
        Assert.Equal(19, offered.Count); // every address but .10 (Mac(99)'s), each once
    }

    /// <summary>A pool of eight addresses (.10-.17) whose 5-minute leases all ended, .10 first and .17 last.</summary>
    private (LeaseTable Table, LeasePool Pool) EightEndedLeases()
    {
        LeasePool pool = Pool("pxe", "10.0.0.10", "10.0.0.17", leaseMinutes: 5);
        var table = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time);
        for (int i = 1; i <= 8; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(CommitOutcome.Granted, table.Commit(Mac(i), table.Propose(Mac(i), pool, null)!, pool, pool.LeaseTime, null).Outcome);
        }

        _time.Advance(TimeSpan.FromMinutes(10)); // new clients now reclaim, oldest first
        return (table, pool);
    }

    /// <summary>Offers <paramref name="mac"/> the next address and grants it, then says the store gave it to <paramref name="holder"/> first.</summary>
    private LeaseConflict GrantTakenElsewhere(LeaseTable table, LeasePool pool, PhysicalAddress mac, PhysicalAddress holder)
    {
        IPAddress address = table.Propose(mac, pool, null)!;
        Assert.Equal(CommitOutcome.Granted, table.Commit(mac, address, pool, pool.LeaseTime, null).Outcome);
        var held = new LeaseRecord(LeaseRecordKind.Bound, holder, address, _time.GetUtcNow(), _time.GetUtcNow() + pool.LeaseTime, pool.Name, null);
        return new LeaseConflict(held with { MacAddress = mac }, held);
    }

    /// <summary>
    /// The shared store: one row per address, the first grant winning until that lease ends, and the order rows
    /// changed in (the revision column).
    /// </summary>
    private sealed class Arbiter
    {
        public Dictionary<IPAddress, (LeaseRecord Record, Server Writer)> Holders { get; } = [];

        public List<IPAddress> Changes { get; } = [];

        public int Refusals { get; set; }
    }

    /// <summary>One server: its table, how far it has read the store's changes, and its grants since it last read.</summary>
    private sealed class Server(LeasePool pool, double start, FakeTimeProvider time)
    {
        private readonly LeaseTable _table = new([pool], [], new InMemoryLeaseJournal(), time, options: new LeaseTableOptions { ScanStartFraction = start });
        private int _read;
        private int _grantsSinceSync;

        /// <summary>DISCOVER → OFFER → REQUEST → local commit → the store's verdict, as one client attempt.</summary>
        public bool TryBind(PhysicalAddress mac, Arbiter arbiter)
        {
            time.Advance(TimeSpan.FromMilliseconds(50)); // a storm's grants are spread in time, and so are their leases' ends
            IPAddress address = _table.Propose(mac, pool, null) ?? throw new InvalidOperationException("pool exhausted");
            Lease lease = _table.Commit(mac, address, pool, pool.LeaseTime, null).Lease ?? throw new InvalidOperationException($"{address} not committed");
            LeaseRecord record = LeaseRecord.From(lease);
            if (arbiter.Holders.TryGetValue(address, out var row) && row.Record is var holder && !holder.MacAddress.Equals(mac) && holder.ExpiresAt > time.GetUtcNow())
            {
                arbiter.Refusals++;
                _table.LearnRefusals([new LeaseConflict(record, holder)]);
                Sync(arbiter); // a refusal makes the server read everything the others wrote at once
                return false;
            }

            arbiter.Holders[address] = (record, this);
            arbiter.Changes.Add(address);
            if (++_grantsSinceSync >= SyncEveryGrants)
            {
                Sync(arbiter);
            }

            return true;
        }

        private void Sync(Arbiter arbiter)
        {
            // As PostgresLeaseStore.ReadChanges: the current rows changed since the last read, other servers' only.
            for (; _read < arbiter.Changes.Count; _read++)
            {
                var (record, writer) = arbiter.Holders[arbiter.Changes[_read]];
                if (writer != this)
                {
                    _table.Learn(record);
                }
            }

            _grantsSinceSync = 0;
        }
    }
}
