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

    /// <summary>A month of boot events: enough to look back at last month's mass reinstall, not a table that grows for ever.</summary>
    public static readonly TimeSpan DefaultEventRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// How long the shared store keeps boot events (<c>storage.eventRetention</c>; <c>forever</c>: null). Only read for
    /// <see cref="StorageKind.PostgreSql"/>: a journal fleet keeps its timeline in memory.
    /// </summary>
    public TimeSpan? EventRetention { get; init; } = DefaultEventRetention;
}
