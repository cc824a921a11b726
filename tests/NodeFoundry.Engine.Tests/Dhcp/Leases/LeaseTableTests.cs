using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

public sealed class LeaseTableTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryLeaseJournal _journal = new();

    private LeaseTable Table(LeasePool[] pools, params KeyValuePair<PhysicalAddress, IPAddress>[] reservations) =>
        new(pools, reservations, _journal, _time);

    private static IPAddress Grant(LeaseTable table, int mac, LeasePool pool, IPAddress? requested = null)
    {
        IPAddress offered = table.Propose(Mac(mac), pool, requested) ?? throw new InvalidOperationException("pool exhausted");
        CommitResult result = table.Commit(Mac(mac), offered, pool, pool.LeaseTime, "node" + mac);
        Assert.Equal(CommitOutcome.Granted, result.Outcome);
        return offered;
    }

    [Fact]
    public void Offers_lowest_never_used_address_first_and_holds_it()
    {
        LeasePool pool = Pool("pxe", "10.0.0.10", "10.0.0.20");
        LeaseTable table = Table([pool]);

        Assert.Equal(Ip("10.0.0.10"), table.Propose(Mac(1), pool, null));
        Assert.Equal(Ip("10.0.0.11"), table.Propose(Mac(2), pool, null));
        Assert.Equal(Ip("10.0.0.10"), table.Propose(Mac(1), pool, null)); // retransmitted DISCOVER: same offer
        Assert.Equal(Mac(1), table.FindOwner(Ip("10.0.0.10")));
        Assert.Equal(CommitOutcome.AddressInUse, table.Commit(Mac(3), Ip("10.0.0.10"), pool, Hour, null).Outcome);
        Assert.Empty(_journal.Records); // offers are not journaled
    }

    [Fact]
    public void Requested_address_is_honoured_when_free()
    {
        LeasePool pool = Pool("pxe", "10.0.0.10", "10.0.0.20");
        LeaseTable table = Table([pool]);
        Assert.Equal(Ip("10.0.0.15"), table.Propose(Mac(1), pool, Ip("10.0.0.15")));
        Assert.Equal(Ip("10.0.0.10"), table.Propose(Mac(2), pool, Ip("10.0.0.15"))); // held for 1
        Assert.Equal(Ip("10.0.0.11"), table.Propose(Mac(3), pool, Ip("10.9.9.9"))); // outside the pool
    }

    [Fact]
    public void Lapsed_offer_is_released_to_others()
    {
        LeasePool pool = Pool("tiny", "10.0.0.1", "10.0.0.1");
        LeaseTable table = Table([pool]);
        Assert.Equal(Ip("10.0.0.1"), table.Propose(Mac(1), pool, null));
        Assert.Null(table.Propose(Mac(2), pool, null));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(Ip("10.0.0.1"), table.Propose(Mac(2), pool, null));
        Assert.Equal(CommitOutcome.AddressInUse, table.Commit(Mac(1), Ip("10.0.0.1"), pool, Hour, null).Outcome);
    }

    [Fact]
    public void Commit_does_not_flush_and_flush_makes_the_batch_durable()
    {
        LeasePool pool = Pool("pxe", "10.0.0.10", "10.0.0.20");
        LeaseTable table = Table([pool]);
        Grant(table, 1, pool);
        Grant(table, 2, pool);
        Assert.Equal(2, _journal.Records.Count);
        Assert.Empty(_journal.DurableRecords);
        table.Flush();
        Assert.Equal(2, _journal.DurableRecords.Count);
        Assert.Equal(1, _journal.FlushCount);
    }

    [Fact]
    public void Renewal_extends_the_same_lease()
    {
        LeasePool pool = Pool("pxe", "10.0.0.10", "10.0.0.20");
        LeaseTable table = Table([pool]);
        IPAddress address = Grant(table, 1, pool);
        _time.Advance(TimeSpan.FromMinutes(30));
        CommitResult renewed = table.Commit(Mac(1), address, pool, Hour, "renamed");
        Assert.True(renewed.IsGranted);
        Lease lease = table.FindByMac(Mac(1))!;
        Assert.Equal(_time.GetUtcNow() + Hour, lease.ExpiresAt);
        Assert.Equal("renamed", lease.HostName);
        Assert.Single(table.Snapshot());
    }

    [Fact]
    public void Exhaustion_returns_null_and_a_release_makes_room()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.4");
        LeaseTable table = Table([pool]);
        var granted = Enumerable.Range(1, 4).Select(i => Grant(table, i, pool)).ToList();
        Assert.Equal(4, granted.Distinct().Count());
        Assert.Null(table.Propose(Mac(9), pool, null));
        Assert.Null(table.Propose(Mac(9), pool, granted[0]));

        Assert.False(table.Release(Mac(2), granted[0])); // not its lease
        Assert.True(table.Release(Mac(1), granted[0]));
        Assert.Null(table.FindByMac(Mac(1)));
        Assert.Null(table.FindOwner(granted[0]));
        Assert.Equal(granted[0], table.Propose(Mac(9), pool, null));
        Assert.Equal(LeaseRecordKind.Released, _journal.Records[^1].Kind);
    }

    [Fact]
    public void Expired_lease_sticks_to_its_client_while_other_addresses_remain()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.3", leaseMinutes: 5);
        LeaseTable table = Table([pool]);
        IPAddress first = Grant(table, 1, pool);
        _time.Advance(TimeSpan.FromHours(2)); // 1's lease long expired
        Assert.False(table.FindByMac(Mac(1))!.IsActiveAt(_time.GetUtcNow()));

        IPAddress second = Grant(table, 2, pool);
        IPAddress third = Grant(table, 3, pool);
        Assert.NotEqual(first, second);
        Assert.NotEqual(first, third);

        // 1 comes back: its old address, not someone else's.
        Assert.Equal(first, table.Propose(Mac(1), pool, null));
    }

    [Fact]
    public void Expired_addresses_are_reclaimed_oldest_first_only_when_nothing_else_is_left()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.2", leaseMinutes: 5);
        LeaseTable table = Table([pool]);
        IPAddress a = Grant(table, 1, pool);
        _time.Advance(TimeSpan.FromMinutes(1));
        IPAddress b = Grant(table, 2, pool);
        Assert.Null(table.Propose(Mac(3), pool, null));
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(a, table.Propose(Mac(3), pool, null)); // 1 expired first
        Assert.True(table.Commit(Mac(3), a, pool, pool.LeaseTime, null).IsGranted);
        Assert.Null(table.FindByMac(Mac(1))); // 1's lease on it is gone
        Assert.Equal(b, table.Propose(Mac(1), pool, null)); // only 2's expired one is left
    }

    [Fact]
    public void Init_reboot_commit_of_expired_foreign_address_reclaims_it()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.9", leaseMinutes: 5);
        LeaseTable table = Table([pool]);
        IPAddress a = Grant(table, 1, pool);
        Assert.Equal(CommitOutcome.AddressInUse, table.Commit(Mac(2), a, pool, Hour, null).Outcome);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(table.Commit(Mac(2), a, pool, Hour, null).IsGranted);
        Assert.Equal(Mac(2), table.FindOwner(a));
        Assert.Null(table.FindByMac(Mac(1)));
    }

    [Fact]
    public void Reservations_are_never_given_to_others()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.3");
        LeaseTable table = Table([pool], Reserve(100, "10.0.0.2"), Reserve(101, "10.0.5.5"));

        Assert.Equal(Ip("10.0.0.1"), table.Propose(Mac(1), pool, null));
        Assert.Equal(Ip("10.0.0.3"), table.Propose(Mac(2), pool, Ip("10.0.0.2")));
        Assert.Null(table.Propose(Mac(3), pool, null));
        Assert.Equal(CommitOutcome.AddressInUse, table.Commit(Mac(3), Ip("10.0.0.2"), pool, Hour, null).Outcome);
        Assert.Equal(Mac(100), table.FindOwner(Ip("10.0.0.2")));

        // The owners get theirs, in or out of the pool asked for.
        Assert.Equal(Ip("10.0.0.2"), table.Propose(Mac(100), pool, null));
        Assert.Equal(Ip("10.0.5.5"), table.Propose(Mac(101), pool, null));
        Assert.Equal(Ip("10.0.5.5"), table.ProposeReserved(Mac(101)));
        Assert.Null(table.ProposeReserved(Mac(1)));

        CommitResult outside = table.Commit(Mac(101), Ip("10.0.5.5"), null, Hour, "bmc");
        Assert.True(outside.IsGranted);
        Assert.Equal(LeaseTable.ReservationPoolName, outside.Lease!.Pool);
        Assert.Equal(CommitOutcome.NotInPool, table.Commit(Mac(1), Ip("10.0.5.6"), null, Hour, null).Outcome);
        Assert.Equal(CommitOutcome.NotInPool, table.Commit(Mac(1), Ip("10.0.5.6"), pool, Hour, null).Outcome);
        Assert.Equal(CommitOutcome.NotInPool, table.Commit(Mac(100), Ip("10.0.5.5"), null, Hour, null).Outcome);

        // A reserved address still in use by someone else (inventory changed) stays theirs until their lease ends.
        var records = _journal.Records;
        var table2 = new LeaseTable([pool], [Reserve(200, "10.0.5.5")], new InMemoryLeaseJournal(), _time, records);
        Assert.Null(table2.ProposeReserved(Mac(200)));
        Assert.Equal(CommitOutcome.AddressInUse, table2.Commit(Mac(200), Ip("10.0.5.5"), null, Hour, null).Outcome);
        Assert.Equal(Mac(101), table2.FindOwner(Ip("10.0.5.5")));
        Assert.Equal(CommitOutcome.NotInPool, table2.Commit(Mac(101), Ip("10.0.5.5"), null, Hour, null).Outcome); // no renewal
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(Ip("10.0.5.5"), table2.ProposeReserved(Mac(200)));
    }

    [Fact]
    public void Conflicting_reservations_and_pools_are_rejected()
    {
        LeasePool a = Pool("a", "10.0.0.1", "10.0.0.10");
        Assert.Throws<ArgumentException>(() => Table([a, Pool("b", "10.0.0.10", "10.0.0.20")]));
        Assert.Throws<ArgumentException>(() => Table([a, Pool("a", "10.0.1.1", "10.0.1.2")]));
        Assert.Throws<ArgumentException>(() => Table([a], Reserve(1, "10.0.0.5"), Reserve(2, "10.0.0.5")));
        Assert.Throws<ArgumentException>(() => Table([a], Reserve(1, "10.0.0.5"), Reserve(1, "10.0.0.6")));
        LeaseTable table = Table([a]);
        Assert.Throws<ArgumentException>(() => table.Propose(Mac(1), Pool("other", "10.1.0.1", "10.1.0.2"), null));
    }

    [Fact]
    public void Declined_address_is_quarantined_then_returns()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.2");
        LeaseTable table = Table([pool]);
        IPAddress a = Grant(table, 1, pool);

        Assert.False(table.Decline(Mac(2), a)); // a stray DECLINE from another client changes nothing
        Assert.False(table.IsQuarantined(a));
        Assert.True(table.Decline(Mac(1), a));
        Assert.True(table.IsQuarantined(a));
        Assert.Null(table.FindByMac(Mac(1)));
        Assert.Null(table.FindOwner(a));
        Assert.Equal(LeaseRecordKind.Declined, _journal.Records[^1].Kind);

        IPAddress b = table.Propose(Mac(1), pool, a)!;
        Assert.NotEqual(a, b);
        Assert.True(table.Commit(Mac(1), b, pool, Hour, null).IsGranted);
        Assert.Equal(CommitOutcome.Quarantined, table.Commit(Mac(3), a, pool, Hour, null).Outcome);
        Assert.Null(table.Propose(Mac(3), pool, null));
        Assert.Equal(1, table.GetUsage(pool).Quarantined);

        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(table.IsQuarantined(a));
        Assert.Equal(a, table.Propose(Mac(3), pool, null));

        // Quarantine survives a restart.
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(table.Decline(Mac(1), b));
        var restarted = new LeaseTable([pool], [], new InMemoryLeaseJournal(), _time, _journal.Records);
        Assert.True(restarted.IsQuarantined(b));
    }

    [Fact]
    public void Client_moving_to_another_pool_frees_its_old_address()
    {
        LeasePool pxe = Pool("pxe", "10.0.0.1", "10.0.0.9", leaseMinutes: 5);
        LeasePool normal = Pool("normal", "10.0.1.1", "10.0.1.9");
        LeaseTable table = Table([normal, pxe]);
        IPAddress boot = Grant(table, 1, pxe);
        IPAddress installed = Grant(table, 1, normal);
        Assert.Equal(installed, table.FindByMac(Mac(1))!.Address);
        Assert.Null(table.FindOwner(boot));
        Assert.Equal(boot, table.Propose(Mac(2), pxe, null));
        Assert.Single(table.Snapshot());
    }

    [Fact]
    public void Replay_restores_state()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.9");
        LeaseTable table = Table([pool], Reserve(50, "10.0.0.5"));
        for (int i = 1; i <= 6; i++)
        {
            Grant(table, i, pool);
        }

        Assert.True(table.Release(Mac(2), table.FindByMac(Mac(2))!.Address));
        Assert.True(table.Decline(Mac(3), table.FindByMac(Mac(3))!.Address));
        Assert.True(table.Commit(Mac(50), Ip("10.0.0.5"), null, Hour, null).IsGranted);
        table.Flush();

        var restarted = new LeaseTable([pool], [Reserve(50, "10.0.0.5")], new InMemoryLeaseJournal(), _time, _journal.Records);
        Assert.Equal(table.Snapshot(), restarted.Snapshot());
        Assert.Equal(table.GetUsage(pool) with { Offered = 0 }, restarted.GetUsage(pool));
        for (int i = 1; i <= 6; i++)
        {
            Assert.Equal(table.FindByMac(Mac(i)), restarted.FindByMac(Mac(i)));
        }

        // The restarted table never hands out what the old one granted.
        var granted = table.Snapshot().Where(l => l.IsActiveAt(_time.GetUtcNow())).Select(l => l.Address).ToHashSet();
        for (int i = 100; i < 110; i++)
        {
            IPAddress? offered = restarted.Propose(Mac(i), pool, null);
            Assert.True(offered is null || !granted.Contains(offered));
        }
    }

    [Fact]
    public void Usage_counts_each_address_once()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.10");
        LeaseTable table = Table([pool], Reserve(90, "10.0.0.10"));
        Grant(table, 1, pool);
        Grant(table, 2, pool);
        table.Propose(Mac(3), pool, null);
        Assert.True(table.Decline(Mac(2), table.FindByMac(Mac(2))!.Address));
        PoolUsage usage = table.GetUsage(pool);
        Assert.Equal(new PoolUsage("pxe", 10, 1, 1, 1) { Reserved = 1 }, usage);
        Assert.Equal(6, usage.Available);
    }

    [Fact]
    public async Task Snapshot_and_usage_are_safe_from_other_threads()
    {
        LeasePool pool = Pool("big", "10.0.0.1", "10.0.255.254");
        LeaseTable table = Table([pool]);
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            int rounds = 0;
            do
            {
                IReadOnlyList<Lease> snapshot = table.Snapshot();
                Assert.Equal(snapshot.Count, snapshot.Select(l => l.Address).Distinct().Count());
                table.GetUsage(pool);
                rounds++;
            }
            while (!stop.IsCancellationRequested);

            return rounds;
        });
        for (int i = 0; i < 20_000; i++)
        {
            Grant(table, i, pool);
            if (i % 64 == 0)
            {
                table.Flush();
            }
        }

        await stop.CancelAsync();
        Assert.True(await reader > 0);
        Assert.Equal(20_000, table.GetUsage(pool).Bound);
    }

    [Fact]
    public void Host_names_are_trimmed()
    {
        LeasePool pool = Pool("pxe", "10.0.0.1", "10.0.0.9");
        LeaseTable table = Table([pool]);
        CommitResult result = table.Commit(Mac(1), Ip("10.0.0.1"), pool, Hour, new string('x', 1000));
        Assert.Equal(255, result.Lease!.HostName!.Length);
    }
}
