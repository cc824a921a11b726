using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Net;
using Npgsql;
using NpgsqlTypes;

namespace NodeFoundry.Storage;

/// <summary>
/// Leases in a PostgreSQL database that several NodeFoundry servers share. Each server still allocates from its own
/// in-memory <see cref="LeaseTable"/> (OFFERs never wait for the database); the database decides who gets an address
/// when a grant is committed: one row per address (primary key), and the upsert only takes a row over when it is the
/// same client's or its lease has ended. Two servers granting one address to two clients cannot both succeed —
/// PostgreSQL's row lock on the key serialises them and the loser's row count is 0 — so the loser NAKs.
/// </summary>
/// <remarks>
/// <para>A flush writes every record appended since the last one in one transaction (one batch of statements and a
/// COMMIT: two round trips for up to <see cref="Dhcp.DhcpServerOptions.MaxBatch"/> ACKs), in address order so two
/// servers' batches lock rows in the same order; a deadlock or serialization failure retries the batch (bounded).</para>
/// <para>When the database cannot be reached, <see cref="Flush"/> throws <see cref="LeaseStoreUnavailableException"/>
/// at once (tries are spaced by <see cref="ReconnectBackoff"/>) and keeps the records the server may have answered
/// (renewals of leases the database holds, releases, declines) — latest per address, so at most one per address — to
/// write with the first flush that succeeds. New grants of a failed flush are dropped: their ACKs were withheld.</para>
/// </remarks>
public sealed class PostgresLeaseStore : ILeaseStore
{
    // Re-read this many revisions below the highest seen: a row's revision is drawn before its transaction commits,
    // so a slow commit can appear below a revision already read. Changes are a cache hint; the database arbitrates.
    private const long ChangeWindow = 256;
    private const int MaxBatchAttempts = 5;

    private const string UpsertSql = """
        WITH up AS (
            INSERT INTO nf_lease AS l (address, mac, state, granted_at, expires_at, pool, host_name, server, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nextval('nf_lease_revision'))
            ON CONFLICT (address) DO UPDATE SET
                mac = EXCLUDED.mac, state = EXCLUDED.state, granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at,
                pool = EXCLUDED.pool, host_name = EXCLUDED.host_name, server = EXCLUDED.server, revision = EXCLUDED.revision
            WHERE l.mac = EXCLUDED.mac OR l.expires_at <= EXCLUDED.granted_at
            RETURNING 1),
        moved AS (
            DELETE FROM nf_lease d WHERE $3 = 1 AND d.mac = $2 AND d.address <> $1 AND d.state <> 3 AND EXISTS (SELECT 1 FROM up))
        SELECT count(*) FROM up
        """;

    private const string SelectColumns = "SELECT address, mac, state, granted_at, expires_at, pool, host_name, revision FROM nf_lease";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serverName;
    private readonly ReconnectBackoff _backoff;
    private readonly object _sync = new();
    private readonly SortedDictionary<uint, LeaseRecord> _pending = [];
    private readonly Dictionary<PhysicalAddress, uint> _durablyBound = [];
    private readonly List<LeaseConflict> _conflicts = [];
    private long _highestRevision;

    private PostgresLeaseStore(NpgsqlDataSource dataSource, string description, string serverName, TimeProvider time)
    {
        _dataSource = dataSource;
        Description = description;
        _serverName = serverName;
        _backoff = new ReconnectBackoff(time);
    }

    public string Description { get; }

    public bool IsShared => true;

    /// <summary>Schema version found when the store opened (0: created it).</summary>
    public int SchemaVersionFound { get; private set; }

    /// <summary>Records waiting for the database (kept across failed flushes).</summary>
    public int PendingCount
    {
        get
        {
            lock (_sync)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Connects, creates or migrates the schema and returns the store. <paramref name="serverName"/> is written with
    /// every row this server writes, so it can tell its own changes from the others'.
    /// Throws <see cref="LeaseStoreUnavailableException"/> when the database cannot be reached.
    /// </summary>
    public static PostgresLeaseStore Open(string connectionString, string serverName, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        NpgsqlDataSource dataSource = PostgresConnection.CreateDataSource(connectionString, out string description);
        var store = new PostgresLeaseStore(dataSource, description, serverName, time ?? TimeProvider.System);
        try
        {
            store.SchemaVersionFound = PostgresSchema.Migrate(dataSource, serverName);
            return store;
        }
        catch (Exception ex) when (PostgresConnection.IsUnavailable(ex))
        {
            store.Dispose();
            throw new LeaseStoreUnavailableException($"PostgreSQL lease store {description} cannot be reached: {ex.Message}", ex);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public IReadOnlyList<LeaseRecord> Load()
    {
        var records = new List<LeaseRecord>();
        Run(() =>
        {
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(SelectColumns + " ORDER BY revision", connection);
            using NpgsqlDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                records.Add(ReadRecord(reader, out long revision));
                _highestRevision = Math.Max(_highestRevision, revision);
            }
        });

        lock (_sync)
        {
            foreach (LeaseRecord record in records)
            {
                NoteDurable(record);
            }
        }

        return records;
    }

    public void Append(in LeaseRecord record)
    {
        if (!Ipv4.TryToUInt32(record.Address, out uint key))
        {
            return; // the table only writes IPv4 leases
        }

        lock (_sync)
        {
            _pending[key] = record;
        }
    }

    /// <summary>Writes every pending record in one transaction; refused grants are kept for <see cref="TakeConflicts"/>.</summary>
    public void Flush()
    {
        lock (_sync)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            LeaseRecord[] batch = [.. _pending.Values];
            bool[] accepted = new bool[batch.Length];
            var holders = new Dictionary<IPAddress, LeaseRecord>();
            try
            {
                Run(() =>
                {
                    for (int attempt = 1; ; attempt++)
                    {
                        try
                        {
                            WriteBatch(batch, accepted, holders);
                            return;
                        }
                        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxBatchAttempts)
                        {
                            // Another server's batch locked the same rows in a different order: the database rolled
                            // ours back whole, so writing it again is safe.
                        }
                    }
                });
            }
            catch (LeaseStoreUnavailableException)
            {
                ForgetUnacknowledgedGrants();
                throw;
            }

            _pending.Clear();
            for (int i = 0; i < batch.Length; i++)
            {
                if (accepted[i])
                {
                    NoteDurable(batch[i]);
                    continue;
                }

                LeaseRecord? holder = holders.TryGetValue(batch[i].Address, out LeaseRecord h) ? h : null;
                if (holder is { } known)
                {
                    NoteDurable(known);
                }

                _conflicts.Add(new LeaseConflict(batch[i], holder));
            }
        }
    }

    public IReadOnlyList<LeaseConflict> TakeConflicts()
    {
        lock (_sync)
        {
            if (_conflicts.Count == 0)
            {
                return [];
            }

            LeaseConflict[] taken = [.. _conflicts];
            _conflicts.Clear();
            return taken;
        }
    }

    public IReadOnlyList<LeaseRecord> ReadChanges()
    {
        var records = new List<LeaseRecord>();
        long highest = _highestRevision;
        Run(() =>
        {
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            using (var command = new NpgsqlCommand(SelectColumns + " WHERE revision > $1 AND server <> $2 ORDER BY revision", connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, highest - ChangeWindow) });
                command.Parameters.Add(new NpgsqlParameter { Value = _serverName });
                using NpgsqlDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    records.Add(ReadRecord(reader, out long revision));
                    highest = Math.Max(highest, revision);
                }
            }

            // Our own rows count towards the high-water mark too, or the window would only ever cover others'.
            using var max = new NpgsqlCommand("SELECT coalesce(max(revision), 0) FROM nf_lease", connection);
            highest = Math.Max(highest, Convert.ToInt64(max.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        });

        lock (_sync)
        {
            _highestRevision = highest;
            foreach (LeaseRecord record in records)
            {
                if (!_pending.ContainsKey(Ipv4.ToUInt32(record.Address, nameof(record))))
                {
                    NoteDurable(record);
                }
            }
        }

        return records;
    }

    public bool IsDurablyBound(PhysicalAddress mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(address);
        lock (_sync)
        {
            return Ipv4.TryToUInt32(address, out uint value) && _durablyBound.TryGetValue(mac, out uint bound) && bound == value;
        }
    }

    /// <summary>Every client's latest lease, read from the database (whichever server wrote it). Thread-safe.</summary>
    public IReadOnlyList<Lease> ReadLeases()
    {
        var records = new List<LeaseRecord>();

        // Called from consoles on other threads: it leaves the DHCP loop's back-off alone.
        Run(withBackoff: false, () =>
        {
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(SelectColumns + " ORDER BY address", connection);
            using NpgsqlDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                records.Add(ReadRecord(reader, out _));
            }
        });
        return LeaseTable.LatestPerMac(records);
    }

    public void Dispose() => _dataSource.Dispose();

    private void WriteBatch(LeaseRecord[] batch, bool[] accepted, Dictionary<IPAddress, LeaseRecord> holders)
    {
        using NpgsqlConnection connection = _dataSource.OpenConnection();
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        using (var command = new NpgsqlBatch(connection, transaction))
        {
            foreach (LeaseRecord record in batch)
            {
                var statement = new NpgsqlBatchCommand(UpsertSql);
                statement.Parameters.Add(new NpgsqlParameter { Value = record.Address, NpgsqlDbType = NpgsqlDbType.Inet });
                statement.Parameters.Add(new NpgsqlParameter { Value = record.MacAddress, NpgsqlDbType = NpgsqlDbType.MacAddr });
                statement.Parameters.Add(new NpgsqlParameter { Value = (short)record.Kind, NpgsqlDbType = NpgsqlDbType.Smallint });
                statement.Parameters.Add(new NpgsqlParameter { Value = record.GrantedAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                statement.Parameters.Add(new NpgsqlParameter { Value = record.ExpiresAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                statement.Parameters.Add(new NpgsqlParameter { Value = record.Pool, NpgsqlDbType = NpgsqlDbType.Text });
                statement.Parameters.Add(new NpgsqlParameter { Value = (object?)record.HostName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                statement.Parameters.Add(new NpgsqlParameter { Value = _serverName, NpgsqlDbType = NpgsqlDbType.Text });
                command.BatchCommands.Add(statement);
            }

            using NpgsqlDataReader reader = command.ExecuteReader();
            int i = 0;
            do
            {
                accepted[i] = reader.Read() && reader.GetInt64(0) > 0;
                i++;
            }
            while (reader.NextResult());
        }

        holders.Clear();
        List<IPAddress> refused = [.. batch.Where((_, i) => !accepted[i]).Select(r => r.Address)];
        if (refused.Count > 0)
        {
            // A statement of its own: in READ COMMITTED it sees the rows that won, committed by then.
            using var select = new NpgsqlCommand(SelectColumns + " WHERE address = ANY($1)", connection, transaction);
            select.Parameters.Add(new NpgsqlParameter { Value = refused.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet });
            using NpgsqlDataReader reader = select.ExecuteReader();
            while (reader.Read())
            {
                LeaseRecord holder = ReadRecord(reader, out _);
                holders[holder.Address] = holder;
            }
        }

        transaction.Commit();
    }

    /// <summary>Runs one database step; an unreachable database becomes <see cref="LeaseStoreUnavailableException"/>, with backoff.</summary>
    private void Run(Action step) => Run(withBackoff: true, step);

    private void Run(bool withBackoff, Action step)
    {
        if (withBackoff && !_backoff.MayTry())
        {
            throw new LeaseStoreUnavailableException($"PostgreSQL lease store {Description} is unavailable (retrying with backoff).");
        }

        try
        {
            step();
            if (withBackoff)
            {
                _backoff.Succeeded();
            }
        }
        catch (Exception ex) when (PostgresConnection.IsUnavailable(ex))
        {
            // Pooled connections to a restarted server are all dead: drop them so the next try opens fresh ones.
            _dataSource.Clear();
            if (withBackoff)
            {
                _backoff.Failed();
            }

            throw new LeaseStoreUnavailableException($"PostgreSQL lease store {Description} is unavailable: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// After a failed flush: keeps what must still reach the database — renewals of leases it holds (the server answers
    /// those during an outage), releases and declines — and drops new grants. Their ACKs were withheld, so writing them
    /// later would only hold addresses for clients that never got them; a client that retries is granted afresh.
    /// </summary>
    private void ForgetUnacknowledgedGrants()
    {
        List<uint>? drop = null;
        foreach ((uint key, LeaseRecord record) in _pending)
        {
            if (record.Kind == LeaseRecordKind.Bound && !(_durablyBound.TryGetValue(record.MacAddress, out uint bound) && bound == key))
            {
                (drop ??= []).Add(key);
            }
        }

        drop?.ForEach(key => _pending.Remove(key));
    }

    private void NoteDurable(in LeaseRecord record)
    {
        uint value = Ipv4.ToUInt32(record.Address, nameof(record));
        if (record.Kind == LeaseRecordKind.Bound)
        {
            _durablyBound[record.MacAddress] = value;
        }
        else if (_durablyBound.TryGetValue(record.MacAddress, out uint bound) && bound == value)
        {
            _durablyBound.Remove(record.MacAddress);
        }
    }

    private static LeaseRecord ReadRecord(NpgsqlDataReader reader, out long revision)
    {
        revision = reader.GetInt64(7);
        return new LeaseRecord(
            (LeaseRecordKind)reader.GetInt16(2),
            reader.GetFieldValue<PhysicalAddress>(1),
            reader.GetFieldValue<IPAddress>(0),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6));
    }
}
