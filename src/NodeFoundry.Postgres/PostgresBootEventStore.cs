using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Timeline;
using Npgsql;
using NpgsqlTypes;

namespace NodeFoundry.Storage;

/// <summary>
/// The fleet's boot events and inventory in the PostgreSQL database its servers share (schema version 2):
/// <c>nf_boot_event</c>, append-only, one row per stage a server saw a node reach; <c>nf_node</c>, one row per node,
/// merged from every server's sightings by an upsert whose rules are <see cref="NodeSighting.MergeWith"/>'s. Servers
/// write through a <see cref="BootEventRecorder"/> (batches off the hot path); consoles read.
/// </summary>
/// <remarks>
/// A write is one transaction of two statements: the events (arrays unnested), then the nodes' upsert (likewise, in
/// MAC order, so two servers' batches lock inventory rows in the same order); a deadlock or serialization failure rolls the batch
/// back whole and it is written again (bounded). An unreachable database is a
/// <see cref="BootEventStoreUnavailableException"/>, with the connection pool cleared so the next try opens afresh.
/// </remarks>
public sealed class PostgresBootEventStore : IBootEventStore
{
    private const int MaxBatchAttempts = 5;

    private const string InsertEventsSql = """
        INSERT INTO nf_boot_event (at, mac, ip, stage, server, detail)
        SELECT * FROM unnest($1::timestamptz[], $2::macaddr[], $3::inet[], $4::text[], $5::text[], $6::text[])
        """;

    // Oldest first through the index on at; a bounded slice per statement keeps each delete's locks and WAL short
    // while servers keep appending.
    private const string PruneEventsSql = """
        DELETE FROM nf_boot_event WHERE id IN (
            SELECT id FROM nf_boot_event WHERE at < $1 ORDER BY at LIMIT $2)
        """;

    private const int PruneSlice = 10_000;

    // The later sighting's fields win where it has them; times widen; the latest installation stays. In DO UPDATE,
    // n.* is the row as it was, EXCLUDED the sighting.
    private const string UpsertNodesSql = """
        INSERT INTO nf_node AS n (mac, uuid, arch, host_name, last_ip, last_server, first_seen, last_seen, installed_at)
        SELECT * FROM unnest($1::macaddr[], $2::uuid[], $3::integer[], $4::text[], $5::inet[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
        ON CONFLICT (mac) DO UPDATE SET
            uuid        = CASE WHEN EXCLUDED.last_seen >= n.last_seen THEN coalesce(EXCLUDED.uuid, n.uuid) ELSE coalesce(n.uuid, EXCLUDED.uuid) END,
            arch        = CASE WHEN EXCLUDED.last_seen >= n.last_seen THEN coalesce(EXCLUDED.arch, n.arch) ELSE coalesce(n.arch, EXCLUDED.arch) END,
            host_name   = CASE WHEN EXCLUDED.last_seen >= n.last_seen THEN coalesce(EXCLUDED.host_name, n.host_name) ELSE coalesce(n.host_name, EXCLUDED.host_name) END,
            last_ip     = CASE WHEN EXCLUDED.last_seen >= n.last_seen THEN coalesce(EXCLUDED.last_ip, n.last_ip) ELSE coalesce(n.last_ip, EXCLUDED.last_ip) END,
            last_server = CASE WHEN EXCLUDED.last_seen >= n.last_seen THEN EXCLUDED.last_server ELSE n.last_server END,
            first_seen  = least(n.first_seen, EXCLUDED.first_seen),
            last_seen   = greatest(n.last_seen, EXCLUDED.last_seen),
            installed_at = greatest(n.installed_at, EXCLUDED.installed_at)
        """;

    private const string EventColumns = "SELECT at, mac, ip, stage, server, detail FROM nf_boot_event";

    private const string NodeColumns = "SELECT mac, uuid, arch, host_name, last_ip, last_server, first_seen, last_seen, installed_at FROM nf_node";

    private readonly NpgsqlDataSource _dataSource;

    private PostgresBootEventStore(NpgsqlDataSource dataSource, string description)
    {
        _dataSource = dataSource;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Schema version found when the store opened (0: created it).</summary>
    public int SchemaVersionFound { get; private set; }

    /// <summary>
    /// Connects and creates or migrates the schema (the lease store's: one database, one version). Throws
    /// <see cref="BootEventStoreUnavailableException"/> when the database cannot be reached.
    /// </summary>
    public static PostgresBootEventStore Open(string connectionString, string openedBy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(openedBy);
        NpgsqlDataSource dataSource = PostgresConnection.CreateDataSource(connectionString, out string description);
        var store = new PostgresBootEventStore(dataSource, description);
        try
        {
            store.SchemaVersionFound = PostgresSchema.Migrate(dataSource, openedBy);
            return store;
        }
        catch (Exception ex) when (PostgresConnection.IsUnavailable(ex))
        {
            store.Dispose();
            throw new BootEventStoreUnavailableException($"PostgreSQL boot event store {description} cannot be reached: {ex.Message}", ex);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public void Write(IReadOnlyList<BootEventRecord> events, IReadOnlyList<NodeSighting> sightings)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sightings);
        if (events.Count == 0 && sightings.Count == 0)
        {
            return;
        }

        // One row per node in the statement (an upsert may not touch a row twice), in MAC order.
        NodeSighting[] ordered = [.. sightings
            .GroupBy(s => s.MacAddress)
            .Select(g => g.Aggregate((a, b) => a.MergeWith(b)))
            .OrderBy(s => s.MacAddress.GetAddressBytes(), ByteOrder.Instance)];
        Run(() =>
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    WriteBatch(events, ordered);
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxBatchAttempts)
                {
                    // Another server's batch locked the same nodes in between: ours rolled back whole; write it again.
                }
            }
        });
    }

    public IReadOnlyList<BootEventRecord> ReadEvents(PhysicalAddress? macAddress = null)
    {
        var events = new List<BootEventRecord>();
        Read(() =>
        {
            events.Clear(); // a second try starts over
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(EventColumns + (macAddress is null ? string.Empty : " WHERE mac = $1") + " ORDER BY at, id", connection);
            if (macAddress is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = macAddress, NpgsqlDbType = NpgsqlDbType.MacAddr });
            }

            using NpgsqlDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                // A stage a newer NodeFoundry wrote and this one does not know is left out, not guessed.
                if (Enum.TryParse(reader.GetString(3), ignoreCase: false, out BootStage stage))
                {
                    events.Add(new BootEventRecord(
                        reader.GetFieldValue<DateTimeOffset>(0),
                        reader.GetFieldValue<PhysicalAddress>(1),
                        reader.IsDBNull(2) ? null : reader.GetFieldValue<IPAddress>(2),
                        stage,
                        reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5)));
                }
            }
        });
        return events;
    }

    public IReadOnlyList<InventoryNode> ReadNodes()
    {
        var nodes = new List<InventoryNode>();
        Read(() =>
        {
            nodes.Clear(); // a second try starts over
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(NodeColumns + " ORDER BY mac", connection);
            using NpgsqlDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                nodes.Add(new InventoryNode
                {
                    MacAddress = reader.GetFieldValue<PhysicalAddress>(0),
                    Uuid = reader.IsDBNull(1) ? null : reader.GetGuid(1),
                    Architecture = reader.IsDBNull(2) ? null : checked((ushort)reader.GetInt32(2)),
                    HostName = reader.IsDBNull(3) ? null : reader.GetString(3),
                    LastIPAddress = reader.IsDBNull(4) ? null : reader.GetFieldValue<IPAddress>(4),
                    LastServer = reader.GetString(5),
                    FirstSeen = reader.GetFieldValue<DateTimeOffset>(6),
                    LastSeen = reader.GetFieldValue<DateTimeOffset>(7),
                    InstalledAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                });
            }
        });
        return nodes;
    }

    public int PruneEvents(DateTimeOffset before, int maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        int pruned = 0;
        Run(() =>
        {
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            while (pruned < maxEvents)
            {
                // Each slice commits on its own (autocommit): a prune cut short by an outage keeps what it did.
                using var delete = new NpgsqlCommand(PruneEventsSql, connection);
                delete.Parameters.Add(new NpgsqlParameter { Value = before.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                delete.Parameters.Add(new NpgsqlParameter { Value = Math.Min(PruneSlice, maxEvents - pruned), NpgsqlDbType = NpgsqlDbType.Integer });
                int deleted = delete.ExecuteNonQuery();
                pruned += deleted;
                if (deleted == 0)
                {
                    break;
                }
            }
        });
        return pruned;
    }

    public void Dispose() => _dataSource.Dispose();

    private void WriteBatch(IReadOnlyList<BootEventRecord> events, NodeSighting[] sightings)
    {
        using NpgsqlConnection connection = _dataSource.OpenConnection();
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (events.Count > 0)
            {
                var insert = new NpgsqlBatchCommand(InsertEventsSql);
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.At.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.MacAddress).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.MacAddr });
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.IPAddress).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet });
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.Stage.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.Server).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.Detail).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                batch.BatchCommands.Add(insert);
            }

            if (sightings.Length > 0)
            {
                // One statement for the batch: the recorder merged sightings per node, so no row is hit twice.
                var upsert = new NpgsqlBatchCommand(UpsertNodesSql);
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.MacAddress).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.MacAddr });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.Uuid).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.Architecture is { } arch ? (int?)arch : null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.HostName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.IPAddress).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.Server).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.FirstSeen.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.LastSeen.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                upsert.Parameters.Add(new NpgsqlParameter { Value = sightings.Select(n => n.InstalledAt?.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                batch.BatchCommands.Add(upsert);
            }

            batch.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// A read, tried twice: a console keeps its store across a database restart, and the first use of each pooled
    /// connection then fails (the pool is cleared by that failure); the second try opens a fresh one.
    /// </summary>
    private void Read(Action step)
    {
        try
        {
            Run(step);
        }
        catch (BootEventStoreUnavailableException)
        {
            Run(step);
        }
    }

    /// <summary>Runs one database step; an unreachable database becomes <see cref="BootEventStoreUnavailableException"/>.</summary>
    private void Run(Action step)
    {
        try
        {
            step();
        }
        catch (Exception ex) when (PostgresConnection.IsUnavailable(ex))
        {
            // Pooled connections to a restarted server are all dead: drop them so the next try opens fresh ones.
            _dataSource.Clear();
            throw new BootEventStoreUnavailableException($"PostgreSQL boot event store {Description} is unavailable: {ex.Message}", ex);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
