namespace NodeFoundry.Storage;

/// <summary>
/// The engine's port to the shared PostgreSQL boot-event and inventory store, implemented by the NodeFoundry.Postgres
/// adapter beside <see cref="IPostgresLeaseStoreFactory"/> (same database, same schema migrations).
/// </summary>
public interface IPostgresBootEventStoreFactory
{
    /// <summary>
    /// Opens the store: connects and creates or migrates the schema (<paramref name="openedBy"/> is recorded with a
    /// migration it applies: the server or console name). Throws
    /// <see cref="BootEventStoreUnavailableException"/> when the database cannot be reached.
    /// </summary>
    IBootEventStore Open(string connectionString, string openedBy);
}
