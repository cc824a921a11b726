using Npgsql;

namespace NodeFoundry.Storage;

/// <summary>
/// The product's tables in PostgreSQL, created and migrated by NodeFoundry itself. <c>nf_schema_version</c> lists the
/// migrations applied; each runs once, in order, in one transaction. A database at a newer version than this build
/// knows is refused rather than written to.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The version this build writes.</summary>
    public const int CurrentVersion = 2;

    // Serialises only migrations (servers starting together); allocation never takes it.
    private const long MigrationLockKey = 0x4E46_5343_4845_4D41; // "NFSCHEMA"

    private static readonly string[] Migrations =
    [
        // 1: leases, one row per address. The primary key is what makes allocation conflict-free across servers:
        // a second client can only take an address through the guarded upsert in PostgresLeaseStore.
        """
        CREATE TABLE nf_lease (
            address    inet        PRIMARY KEY,
            mac        macaddr     NOT NULL,
            state      smallint    NOT NULL CHECK (state IN (1, 2, 3)),  -- 1 bound, 2 released, 3 declined
            granted_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,  -- bound: lease end; released: release time; declined: quarantine end
            pool       text        NOT NULL,
            host_name  text,
            server     text        NOT NULL,  -- which NodeFoundry server wrote the row last
            revision   bigint      NOT NULL   -- from nf_lease_revision: lets servers read what others changed
        );
        CREATE SEQUENCE nf_lease_revision;
        CREATE INDEX nf_lease_mac ON nf_lease (mac);
        CREATE INDEX nf_lease_revision_idx ON nf_lease (revision);
        """,

        // 2: the fleet's boot events (append-only; every server's, merged by time when read) and inventory (one row
        // per node, merged from every server's sightings by PostgresBootEventStore's upsert).
        """
        CREATE TABLE nf_boot_event (
            id     bigserial   PRIMARY KEY,  -- write order: ties in at keep it when read
            at     timestamptz NOT NULL,     -- when the server saw it (the servers' clocks: keep them in sync)
            mac    macaddr     NOT NULL,
            ip     inet,
            stage  text        NOT NULL,     -- BootStage: Offered, Bound, NbpFetched, IpxeDhcp, ScriptFetched, … Installed
            server text        NOT NULL,     -- which NodeFoundry server saw it (host/address)
            detail text                      -- the cause, such as "tftp undionly.kpxe"
        );
        CREATE INDEX nf_boot_event_mac_at ON nf_boot_event (mac, at);
        CREATE INDEX nf_boot_event_at ON nf_boot_event (at);  -- retention: the oldest go first
        CREATE TABLE nf_node (
            mac          macaddr     PRIMARY KEY,
            uuid         uuid,                 -- DHCP option 97 (or iPXE's ${uuid} from discovery)
            arch         integer,              -- DHCP option 93 of the firmware (not iPXE's)
            host_name    text,
            last_ip      inet,
            last_server  text        NOT NULL,
            first_seen   timestamptz NOT NULL,
            last_seen    timestamptz NOT NULL,
            installed_at timestamptz           -- the latest phone-home
        );
        """,
    ];

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns the version it found.</summary>
    public static int Migrate(NpgsqlDataSource dataSource, string appliedBy) => Migrate(dataSource, appliedBy, CurrentVersion);

    /// <summary>
    /// Brings the database to <paramref name="targetVersion"/> (at most <see cref="CurrentVersion"/>), as the
    /// NodeFoundry that wrote that version did: tests build an older database with it and upgrade it. Returns the
    /// version found.
    /// </summary>
    public static int Migrate(NpgsqlDataSource dataSource, string appliedBy, int targetVersion)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, CurrentVersion);
        using NpgsqlConnection connection = dataSource.OpenConnection();
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})");
        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS nf_schema_version (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text        NOT NULL
            )
            """);
        int found;
        using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM nf_schema_version", connection, transaction))
        {
            found = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (found > CurrentVersion)
        {
            throw new NotSupportedException(
                $"The database holds NodeFoundry schema version {found}; this NodeFoundry knows up to {CurrentVersion}. Upgrade NodeFoundry.");
        }

        for (int version = found + 1; version <= targetVersion; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = new NpgsqlCommand("INSERT INTO nf_schema_version (version, applied_by) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            record.Parameters.Add(new NpgsqlParameter { Value = appliedBy });
            record.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
