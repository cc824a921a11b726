namespace NodeFoundry.Dhcp.Leases;

/// <summary>Tuning for <see cref="LeaseJournal"/>.</summary>
public sealed class LeaseJournalOptions
{
    /// <summary>Size of the write buffer in front of the file; a batch of records smaller than this costs one write(2).</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Take an exclusive lock file (<c>&lt;journal&gt;.lock</c>) so two servers can never append to one journal.
    /// </summary>
    public bool UseLockFile { get; init; } = true;
}
