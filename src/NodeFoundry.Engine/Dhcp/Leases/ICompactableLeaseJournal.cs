namespace NodeFoundry.Dhcp.Leases;

/// <summary>A journal that can be rewritten to hold only the live records; <see cref="LeaseTable"/> compacts it when it grows.</summary>
public interface ICompactableLeaseJournal : ILeaseJournal
{
    /// <summary>Records the journal currently holds (replayed + appended, or the compacted set).</summary>
    long RecordCount { get; }

    /// <summary>Atomically replaces the journal's content with <paramref name="live"/>; durable on return.</summary>
    void Compact(IEnumerable<LeaseRecord> live);
}
