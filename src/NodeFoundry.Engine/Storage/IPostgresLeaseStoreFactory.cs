using NodeFoundry.Dhcp.Leases;

namespace NodeFoundry.Storage;

/// <summary>
/// The engine's port to the shared PostgreSQL lease store. Implemented by the NodeFoundry.Postgres adapter (Npgsql),
/// which <see cref="Adapters.AdapterLoader"/> loads into the engine's private AssemblyLoadContext, so no Npgsql type
/// crosses into the engine or the module.
/// </summary>
public interface IPostgresLeaseStoreFactory
{
    /// <summary>
    /// Opens the store: connects, creates or migrates the schema, and signs rows with <paramref name="serverName"/>.
    /// Throws <see cref="LeaseStoreUnavailableException"/> when the database cannot be reached.
    /// </summary>
    ILeaseStore Open(string connectionString, string serverName);
}
