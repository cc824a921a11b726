using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// The embedded store: one server's append-only <see cref="LeaseJournal"/> (or, without a path, an
/// <see cref="InMemoryLeaseJournal"/>). A thin shell over the journal, which keeps its own behaviour: batched fsync,
/// compaction, replay. Nobody else writes to it, so it never refuses a record and never changes behind the server.
/// </summary>
public sealed class JournalLeaseStore : ILeaseStore, ICompactableLeaseJournal
{
    private readonly ICompactableLeaseJournal _journal;
    private readonly string? _path;
    private IReadOnlyList<LeaseRecord> _replayed;

    private JournalLeaseStore(ICompactableLeaseJournal journal, string? path, IReadOnlyList<LeaseRecord> replayed)
    {
        _journal = journal;
        _path = path;
        _replayed = replayed;
    }

    /// <summary>Opens (and replays) the journal at <paramref name="path"/>; null keeps leases in memory only.</summary>
    public static JournalLeaseStore Open(string? path)
    {
        if (path is null)
        {
            return new JournalLeaseStore(new InMemoryLeaseJournal(), null, []);
        }

        LeaseJournal journal = LeaseJournal.Open(path, out IReadOnlyList<LeaseRecord> replayed);
        return new JournalLeaseStore(journal, journal.Path, replayed);
    }

    /// <summary>The journal underneath (tests and tools read its counters).</summary>
    public ILeaseJournal Journal => _journal;

    public string Description => _path is null ? "memory (no journal)" : "journal " + _path;

    public bool IsShared => false;

    public long RecordCount => _journal.RecordCount;

    /// <summary>The replayed records, handed over once: the table keeps them from then on.</summary>
    public IReadOnlyList<LeaseRecord> Load()
    {
        IReadOnlyList<LeaseRecord> records = _replayed;
        _replayed = [];
        return records;
    }

    public void Append(in LeaseRecord record) => _journal.Append(in record);

    public void Flush() => _journal.Flush();

    public void Compact(IEnumerable<LeaseRecord> live) => _journal.Compact(live);

    public IReadOnlyList<LeaseConflict> TakeConflicts() => [];

    public IReadOnlyList<LeaseRecord> ReadChanges() => [];

    /// <summary>The journal is durable after every successful flush; nothing lags behind it.</summary>
    public bool IsDurablyBound(PhysicalAddress mac, IPAddress address) => true;

    public IReadOnlyList<Lease> ReadLeases() => _path is null ? [] : LeaseJournal.ReadLeases(_path);

    public void Dispose() => _journal.Dispose();
}
