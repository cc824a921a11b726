namespace NodeFoundry.Dhcp.Leases;

/// <summary>A journal that keeps records in memory: for tests and for running with persistence turned off.</summary>
public sealed class InMemoryLeaseJournal : ICompactableLeaseJournal
{
    private readonly object _gate = new();
    private readonly List<LeaseRecord> _records = [];
    private int _durable;

    /// <summary>Every record appended (or the compacted set plus appended since).</summary>
    public IReadOnlyList<LeaseRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Records a crash right now would keep: those appended before the last <see cref="Flush"/>.</summary>
    public IReadOnlyList<LeaseRecord> DurableRecords
    {
        get
        {
            lock (_gate)
            {
                return _records.GetRange(0, _durable);
            }
        }
    }

    public long RecordCount
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    public int FlushCount { get; private set; }

    public int CompactionCount { get; private set; }

    public void Append(in LeaseRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            _durable = _records.Count;
            FlushCount++;
        }
    }

    public void Compact(IEnumerable<LeaseRecord> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var copy = live.ToList();
        lock (_gate)
        {
            _records.Clear();
            _records.AddRange(copy);
            _durable = _records.Count;
            CompactionCount++;
        }
    }

    public void Dispose()
    {
    }
}
