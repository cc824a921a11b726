namespace NodeFoundry.Fleet;

/// <summary>The lease store (fleet file: <c>storage</c>). Absent: the local journal.</summary>
public sealed class StorageSettings
{
    public StorageKind Kind { get; init; } = StorageKind.Journal;

    /// <summary>
    /// Where the PostgreSQL connection string is kept (<c>env:NAME</c> or <c>file:PATH</c>), never the string itself:
    /// it may hold a password. Required for <see cref="StorageKind.PostgreSql"/>, absent for the journal.
    /// </summary>
    public SecretReference? Connection { get; init; }
}
