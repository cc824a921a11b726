using NodeFoundry.Dhcp.Leases;

namespace NodeFoundry.Storage;

/// <summary>The adapter's one entry point: the engine creates it through <c>AdapterLoader</c> and opens stores with it.</summary>
public sealed class PostgresLeaseStoreFactory : IPostgresLeaseStoreFactory
{
    /// <inheritdoc />
    public ILeaseStore Open(string connectionString, string serverName) => PostgresLeaseStore.Open(connectionString, serverName);
}
