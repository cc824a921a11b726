using NodeFoundry.Fleet;

namespace NodeFoundry.Storage;

/// <summary>Opens the boot-event and inventory store a fleet file names: with <c>storage: { kind: postgresql }</c>, the database its servers share.</summary>
public static class BootEventStores
{
    private static readonly Lazy<IPostgresBootEventStoreFactory> Postgres = new(() => Adapters.AdapterLoader.Create<IPostgresBootEventStoreFactory>(LeaseStores.PostgresAdapterName));

    /// <summary>True when the fleet's servers share their boot events (and leases) in PostgreSQL.</summary>
    public static bool IsShared(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return fleet.Storage.Kind == StorageKind.PostgreSql;
    }

    /// <summary>
    /// The fleet's PostgreSQL store (the lease store's database and schema). Throws
    /// <see cref="BootEventStoreUnavailableException"/> when <c>storage.connection</c> cannot be read or the database reached.
    /// </summary>
    public static IBootEventStore OpenPostgres(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        if (!IsShared(fleet))
        {
            throw new InvalidOperationException("The fleet file does not name a PostgreSQL store (storage: { kind: postgresql, connection: ... }); boot events are shared only there.");
        }

        if (!LeaseStores.TryResolveConnection(fleet, out string? connectionString, out string? problem))
        {
            throw new BootEventStoreUnavailableException(problem);
        }

        return Postgres.Value.Open(connectionString, LeaseStores.ServerName(fleet));
    }
}
