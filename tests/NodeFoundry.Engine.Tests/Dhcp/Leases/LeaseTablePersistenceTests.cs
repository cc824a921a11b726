using System.Diagnostics;
using System.Net;
using NodeFoundry.Dhcp.Leases;
using Xunit.Abstractions;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

/// <summary>The lease table over a real file journal: group commit, crash images, compaction, the offline view.</summary>
public sealed class LeaseTablePersistenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly LeasePool _pxe = Pool("pxe", "10.10.0.1", "10.10.3.255", leaseMinutes: 5);
    private readonly LeasePool _normal = Pool("normal", "10.20.0.1", "10.20.0.200", leaseMinutes: 600);
    private readonly KeyValuePair<System.Net.NetworkInformation.PhysicalAddress, IPAddress>[] _reservations = [Reserve(9000, "10.10.0.7"), Reserve(9001, "10.30.0.1")];

    public void Dispose() => _dir.Dispose();

    private LeaseTable Open(string path, out LeaseJournal journal, LeaseTableOptions? options = null)
    {
        journal = LeaseJournal.Open(path, out IReadOnlyList<LeaseRecord> replayed);
        return new LeaseTable([_pxe, _normal], _reservations, journal, _time, replayed, options);
    }

    /// <summary>A day of churn: boots, renewals, moves between pools, releases, declines.</summary>
    private void Churn(LeaseTable table, Random random, int clients, int rounds, int batch = 64)
    {
        int inBatch = 0;
        for (int round = 0; round < rounds; round++)
        {
            int i = random.Next(clients);
            LeasePool pool = random.Next(3) == 0 ? _normal : _pxe;
            IPAddress? offered = table.Propose(Mac(i), pool, null);
            if (offered is not null)
            {
                table.Commit(Mac(i), offered, table.ProposeReserved(Mac(i)) is null ? pool : null, pool.LeaseTime, "n" + i);
            }

            if (random.Next(20) == 0 && table.FindByMac(Mac(i)) is { } lease)
            {
                if (random.Next(2) == 0)
                {
                    table.Release(Mac(i), lease.Address);
                }
                else
                {
                    table.Decline(Mac(i), lease.Address);
                }
            }

            if (++inBatch == batch)
            {
                table.Flush();
                inBatch = 0;
            }

            _time.Advance(TimeSpan.FromSeconds(random.Next(3)));
        }

        table.Flush();
    }

    [Fact]
    public void Restart_from_the_file_restores_identical_state()
    {
        string path = _dir.File("state/leases.journal");
        LeaseTable table = Open(path, out LeaseJournal journal);
        Churn(table, new Random(1), clients: 300, rounds: 5000);
        IReadOnlyList<Lease> before = table.Snapshot();
        journal.Dispose();

        LeaseTable restarted = Open(path, out LeaseJournal reopened);
        using (reopened)
        {
            Assert.Equal(before, restarted.Snapshot());
            Assert.Equal(0, reopened.CorruptRecordsSkipped);
        }
    }

    [Fact]
    public void Compaction_keeps_state_identical_and_bounds_the_file()
    {
        string path = _dir.File("leases.journal");
        var options = new LeaseTableOptions { CompactAfterRecords = 500 };
        LeaseTable table = Open(path, out LeaseJournal journal, options);
        using (journal)
        {
            Churn(table, new Random(2), clients: 150, rounds: 20_000);
            Assert.True(table.CompactionCount > 0);
            Assert.Equal(table.CompactionCount, journal.CompactionCount);
            Assert.Null(table.LastCompactionError);
            Assert.True(journal.RecordCount <= Math.Max(options.CompactAfterRecords, 4 * (table.Snapshot().Count + 1)) + 64, $"{journal.RecordCount} records for {table.Snapshot().Count} leases");
            output.WriteLine($"compactions {table.CompactionCount}, records {journal.RecordCount}, leases {table.Snapshot().Count}, bytes {journal.Length}");

            // Compaction happened mid-run; a restart from the compacted file sees exactly the live state.
            string copy = _dir.File("copy.journal");
            File.Copy(path, copy);
            LeaseTable restarted = Open(copy, out LeaseJournal copyJournal, options);
            copyJournal.Dispose();
            Assert.Equal(table.Snapshot(), restarted.Snapshot());
            foreach (LeasePool pool in new[] { _pxe, _normal })
            {
                Assert.Equal(table.GetUsage(pool) with { Offered = 0 }, restarted.GetUsage(pool) with { Offered = 0 });
            }
        }
    }

    [Fact]
    public void Every_acknowledged_lease_survives_a_kill_after_flush()
    {
        string path = _dir.File("kill.journal");
        LeaseTable table = Open(path, out LeaseJournal journal);
        using (journal)
        {
            var acked = new List<Lease>();
            var pending = new List<Lease>();
            for (int i = 0; i < 1000; i++)
            {
                IPAddress offered = table.Propose(Mac(i), _pxe, null)!;
                pending.Add(table.Commit(Mac(i), offered, _pxe, _pxe.LeaseTime, null).Lease!);
                if (pending.Count == 64)
                {
                    table.Flush();
                    acked.AddRange(pending); // replies go out only now
                    pending.Clear();
                }
            }

            // SIGKILL now: the disk holds what was fsynced (plus maybe some of the pending batch).
            string image = _dir.File("kill.image");
            using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (FileStream target = File.Create(image))
            {
                source.CopyTo(target);
            }

            LeaseTable restarted = Open(image, out LeaseJournal imageJournal);
            imageJournal.Dispose();
            foreach (Lease lease in acked)
            {
                Assert.Equal(lease, restarted.FindByMac(lease.MacAddress));
                Assert.Equal(lease.MacAddress, restarted.FindOwner(lease.Address));
            }

            // And the restarted server does not hand an acknowledged address to anyone else.
            var ackedAddresses = acked.Select(l => l.Address).ToHashSet();
            for (int i = 5000; i < 5500; i++)
            {
                IPAddress? offered = restarted.Propose(Mac(i), _pxe, null);
                Assert.True(offered is null || !ackedAddresses.Contains(offered));
            }
        }
    }

    [Fact]
    public void ReadLeases_on_a_copy_of_a_running_journal_matches_the_table()
    {
        string path = _dir.File("running.journal");
        LeaseTable table = Open(path, out LeaseJournal journal);
        using (journal)
        {
            Churn(table, new Random(3), clients: 200, rounds: 3000);
            string copy = _dir.File("running.copy");
            File.Copy(path, copy);

            IReadOnlyList<Lease> offline = LeaseJournal.ReadLeases(copy);
            var online = table.Snapshot()
                .GroupBy(l => l.MacAddress)
                .Select(g => g.OrderBy(l => l.State == LeaseState.Declined).ThenByDescending(l => l.GrantedAt).First())
                .ToHashSet();
            Assert.Equal(online.Count, offline.Count);
            Assert.Superset(online, offline.ToHashSet());

            // Also readable in place while the server holds it open.
            Assert.Equal(offline, LeaseJournal.ReadLeases(path));
        }
    }

    [Fact]
    public void Measure_propose_commit_throughput_with_fsync_every_64()
    {
        // Not a timing assertion: prints a rough single-thread rate for comparison with Kea memfile (~2,900 leases/s here).
        string path = _dir.File("bench.journal");
        LeasePool big = Pool("big", "10.0.0.1", "10.3.255.254", leaseMinutes: 60);
        using LeaseJournal journal = LeaseJournal.Open(path, out _);
        var table = new LeaseTable([big], [], journal, TimeProvider.System);
        const int clients = 100_000;
        var macs = Enumerable.Range(0, clients).Select(Mac).ToArray();

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < clients; i++)
        {
            IPAddress offered = table.Propose(macs[i], big, null)!;
            table.Commit(macs[i], offered, big, big.LeaseTime, null);
            if ((i & 63) == 63)
            {
                table.Flush();
            }
        }

        table.Flush();
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double rate = clients / watch.Elapsed.TotalSeconds;
        output.WriteLine($"new clients: {rate:N0} Propose+Commit/s, {journal.FlushCount} fsyncs, {allocated / clients} B allocated per lease, journal {journal.Length / 1024} KiB");

        watch.Restart();
        for (int i = 0; i < clients; i++)
        {
            IPAddress offered = table.Propose(macs[i], big, null)!;
            table.Commit(macs[i], offered, big, big.LeaseTime, null);
            if ((i & 63) == 63)
            {
                table.Flush();
            }
        }

        table.Flush();
        output.WriteLine($"renewals:    {clients / watch.Elapsed.TotalSeconds:N0} Propose+Commit/s");
        Assert.Equal(clients, table.GetUsage(big).Bound);
    }
}
