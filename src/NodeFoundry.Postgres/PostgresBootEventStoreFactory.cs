namespace NodeFoundry.Storage;

/// <summary>The adapter's entry point for boot events and inventory: the engine creates it through <c>AdapterLoader</c>.</summary>
public sealed class PostgresBootEventStoreFactory : IPostgresBootEventStoreFactory
{
    /// <inheritdoc />
    public IBootEventStore Open(string connectionString, string openedBy) => PostgresBootEventStore.Open(connectionString, openedBy);
}
