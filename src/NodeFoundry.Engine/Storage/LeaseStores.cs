using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;

namespace NodeFoundry.Storage;

/// <summary>Opens the lease store a fleet file names (<c>storage</c>), for the DHCP server and for readers such as <c>nodefoundry leases</c>.</summary>
public static class LeaseStores
{
    /// <summary>The adapter assembly that implements <see cref="IPostgresLeaseStoreFactory"/> over Npgsql.</summary>
    public const string PostgresAdapterName = "NodeFoundry.Postgres";

    private static readonly Lazy<IPostgresLeaseStoreFactory> Postgres = new(() => Adapters.AdapterLoader.Create<IPostgresLeaseStoreFactory>(PostgresAdapterName));

    /// <summary>
    /// The fleet's PostgreSQL store: resolves <c>storage.connection</c> (env: or file:) and opens it. Throws
    /// <see cref="LeaseStoreUnavailableException"/> when the reference cannot be resolved or the database reached.
    /// </summary>
    public static ILeaseStore OpenPostgres(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        if (fleet.Storage.Kind != StorageKind.PostgreSql || fleet.Storage.Connection is not { } reference)
        {
            throw new InvalidOperationException("The fleet file does not name a PostgreSQL lease store (storage: { kind: postgresql, connection: ... }).");
        }

        if (!TryResolveConnection(fleet, out string? connectionString, out string? problem))
        {
            throw new LeaseStoreUnavailableException(problem);
        }

        return Postgres.Value.Open(connectionString, ServerName(fleet));
    }

    /// <summary>The connection string <c>storage.connection</c> refers to (env: or file:), or why it cannot be read.</summary>
    internal static bool TryResolveConnection(FleetConfig fleet, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? connectionString, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        connectionString = null;
        if (fleet.Storage.Kind != StorageKind.PostgreSql || fleet.Storage.Connection is not { } reference)
        {
            problem = "The fleet file does not name a PostgreSQL store (storage: { kind: postgresql, connection: ... }).";
            return false;
        }

        if (!SecretResolver.ForFleet(fleet).TryResolve(reference, out connectionString, out string? why))
        {
            problem = $"storage.connection ({reference}) cannot be read: {why}";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>How this server signs the rows it writes: host name and boot-network address.</summary>
    public static string ServerName(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return $"{Environment.MachineName}/{fleet.Server.Address}";
    }

    /// <summary>
    /// Where this server's scan for never-used addresses starts in each pool, as a fraction of the pool: spread by a
    /// hash of <see cref="ServerName"/>, so servers sharing a database mostly allocate from different parts of a pool
    /// and seldom race for the same address (when they do, the database decides and the loser NAKs).
    /// </summary>
    public static double AllocationStartFor(FleetConfig fleet)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(ServerName(fleet)))
        {
            hash = unchecked((hash ^ b) * 16777619);
        }

        return (hash % 1_000_003) / 1_000_003.0;
    }
}
