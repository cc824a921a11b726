using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Infrastructure;
using Npgsql;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// The PostgreSQL lease store against a real PostgreSQL (the collection's throwaway cluster): schema versioning,
/// the database's arbitration between servers, batching, change reading and an outage.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseStoreTests(PostgresCluster cluster)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void Opening_creates_the_schema_once_and_records_its_version()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_schema"));
        using (var first = PostgresLeaseStore.Open(db, "a"))
        {
            Assert.Equal(0, first.SchemaVersionFound);
        }

        using (var second = PostgresLeaseStore.Open(db, "b"))
        {
            Assert.Equal(PostgresSchema.CurrentVersion, second.SchemaVersionFound);
        }

        Assert.Equal((long)PostgresSchema.CurrentVersion, Scalar(db, "SELECT count(*) FROM nf_schema_version"));
    }

    [Fact]
    public void A_database_from_a_newer_NodeFoundry_is_refused()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_newer"));
        using (PostgresLeaseStore.Open(db, "a"))
        {
        }

        Scalar(db, $"INSERT INTO nf_schema_version (version, applied_by) VALUES ({PostgresSchema.CurrentVersion + 1}, 'future') RETURNING 1");
        var error = Assert.Throws<NotSupportedException>(() => PostgresLeaseStore.Open(db, "a"));
        Assert.Contains("Upgrade NodeFoundry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_refuses_a_second_client_on_an_address_and_names_the_holder()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_conflict"));
        using var a = PostgresLeaseStore.Open(db, "server-a");
        using var b = PostgresLeaseStore.Open(db, "server-b");
        var address = IPAddress.Parse("198.18.0.10");

        a.Append(Bound(Mac(1), address));
        a.Flush();
        Assert.Empty(a.TakeConflicts());

        b.Append(Bound(Mac(2), address));
        b.Flush();
        var conflict = Assert.Single(b.TakeConflicts());
        Assert.Equal(Mac(2), conflict.Refused.MacAddress);
        Assert.Equal(Mac(1), conflict.Holder?.MacAddress);
        Assert.True(b.IsDurablyBound(Mac(1), address));
        Assert.False(b.IsDurablyBound(Mac(2), address));

        var lease = Assert.Single(a.ReadLeases());
        Assert.Equal((Mac(1), address, LeaseState.Bound), (lease.MacAddress, lease.Address, lease.State));
    }

    [Fact]
    public void The_same_client_renews_anywhere_and_an_ended_lease_can_be_taken_over()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_renew"));
        using var a = PostgresLeaseStore.Open(db, "server-a");
        using var b = PostgresLeaseStore.Open(db, "server-b");
        var address = IPAddress.Parse("198.18.0.20");
        a.Append(Bound(Mac(1), address));
        a.Flush();

        // The client renews through the other server: same MAC, accepted, new expiry.
        b.Append(Bound(Mac(1), address, Now.AddHours(2)));
        b.Flush();
        Assert.Empty(b.TakeConflicts());
        Assert.Equal(Now.AddHours(2).ToUnixTimeSeconds(), Assert.Single(a.ReadLeases()).ExpiresAt.ToUnixTimeSeconds());

        // Released: another client may take the address.
        b.Append(new LeaseRecord(LeaseRecordKind.Released, Mac(1), address, Now, Now, "pool", null));
        b.Flush();
        a.Append(Bound(Mac(2), address));
        a.Flush();
        Assert.Empty(a.TakeConflicts());
        Assert.Contains(a.ReadLeases(), l => l.MacAddress.Equals(Mac(2)) && l.Address.Equals(address) && l.State == LeaseState.Bound);
    }

    [Fact]
    public void A_client_that_moves_keeps_one_bound_lease()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_move"));
        using var a = PostgresLeaseStore.Open(db, "server-a");
        a.Append(Bound(Mac(1), IPAddress.Parse("198.18.0.30")));
        a.Flush();
        a.Append(Bound(Mac(1), IPAddress.Parse("198.18.0.31")));
        a.Flush();
        Assert.Equal(1L, Scalar(db, "SELECT count(*) FROM nf_lease WHERE mac = '02:4e:50:00:00:01'"));
        Assert.Equal(IPAddress.Parse("198.18.0.31"), Assert.Single(a.ReadLeases()).Address);
    }

    [Fact]
    public async Task Two_servers_racing_for_the_same_addresses_never_both_win()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_race"));
        using var a = PostgresLeaseStore.Open(db, "server-a");
        using var b = PostgresLeaseStore.Open(db, "server-b");
        var wins = new[] { new List<(PhysicalAddress, IPAddress)>(), new List<(PhysicalAddress, IPAddress)>() };

        // Both servers grant the same 480 addresses to different clients, in batches of 48, at the same time.
        void Grant(PostgresLeaseStore store, int side)
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var records = Enumerable.Range(0, 48).Select(i => Bound(Mac((side * 100_000) + (batch * 48) + i), Address(10 + (batch * 48) + i))).ToList();
                records.ForEach(r => store.Append(r));
                store.Flush();
                var refused = store.TakeConflicts().Select(c => c.Refused.Address).ToHashSet();
                wins[side].AddRange(records.Where(r => !refused.Contains(r.Address)).Select(r => (r.MacAddress, r.Address)));
            }
        }

        var left = Task.Run(() => Grant(a, 0));
        var right = Task.Run(() => Grant(b, 1));
        await Task.WhenAll(left, right).WaitAsync(TimeSpan.FromSeconds(120));

        var both = wins[0].Select(w => w.Item2).Intersect(wins[1].Select(w => w.Item2)).ToList();
        Assert.True(both.Count == 0, "granted by both servers: " + string.Join(", ", both));
        Assert.Equal(480, wins[0].Count + wins[1].Count);
        var rows = a.ReadLeases();
        Assert.Equal(480, rows.Count);
        Assert.Equal(wins[0].Concat(wins[1]).ToHashSet(), rows.Select(l => (l.MacAddress, l.Address)).ToHashSet());
    }

    [Fact]
    public void Each_server_reads_what_the_others_wrote()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_changes"));
        using var a = PostgresLeaseStore.Open(db, "server-a");
        using var b = PostgresLeaseStore.Open(db, "server-b");
        Assert.Empty(b.ReadChanges());
        a.Append(Bound(Mac(7), Address(7)));
        a.Flush();
        b.Append(Bound(Mac(8), Address(8)));
        b.Flush();

        var seen = Assert.Single(b.ReadChanges());
        Assert.Equal((Mac(7), Address(7)), (seen.MacAddress, seen.Address));
        Assert.True(b.IsDurablyBound(Mac(7), Address(7)));
        Assert.Equal(Address(8), Assert.Single(a.ReadChanges()).Address);
    }

    [Fact]
    public void During_an_outage_flush_fails_fast_keeps_renewals_drops_unacknowledged_grants_and_writes_when_the_database_is_back()
    {
        var db = cluster.ConnectionString(cluster.CreateDatabase("nfpg_outage"));
        using var store = PostgresLeaseStore.Open(db, "server-a");
        store.Append(Bound(Mac(1), Address(1)));
        store.Flush();

        cluster.Stop();
        try
        {
            // A renewal of a lease the database holds (the server answers it) and a new grant (its ACK is withheld).
            store.Append(Bound(Mac(1), Address(1), Now.AddHours(3)));
            store.Append(Bound(Mac(2), Address(2)));
            Assert.Throws<LeaseStoreUnavailableException>(store.Flush);
            Assert.Equal(1, store.PendingCount);
            Assert.True(store.IsDurablyBound(Mac(1), Address(1)));
            Assert.False(store.IsDurablyBound(Mac(2), Address(2)));

            // Tries are spaced by the back-off: the next flush fails at once without a connection attempt.
            Assert.Throws<LeaseStoreUnavailableException>(store.Flush);
        }
        finally
        {
            cluster.Start();
        }

        // Bounded: the back-off allows a retry within seconds.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                store.Flush();
                break;
            }
            catch (LeaseStoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }

        Assert.Equal(0, store.PendingCount);
        var lease = Assert.Single(store.ReadLeases());
        Assert.Equal((Mac(1), Now.AddHours(3).ToUnixTimeSeconds()), (lease.MacAddress, lease.ExpiresAt.ToUnixTimeSeconds()));
    }

    private static LeaseRecord Bound(PhysicalAddress mac, IPAddress address, DateTimeOffset? expires = null) =>
        new(LeaseRecordKind.Bound, mac, address, Now, expires ?? Now.AddHours(1), "pool", "host");

    private static PhysicalAddress Mac(int n) => new([0x02, 0x4e, 0x50, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    private static IPAddress Address(int n) => new([198, 18, (byte)(n >> 8), (byte)n]);

    private static long Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
