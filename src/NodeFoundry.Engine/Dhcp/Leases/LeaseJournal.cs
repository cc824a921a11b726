namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// The embedded lease journal: an append-only file of checksummed binary records (see
/// <see cref="LeaseJournalFormat"/>) behind a buffered <see cref="FileStream"/>. <see cref="Append"/> only
/// buffers; <see cref="Flush"/> writes and fsyncs, so a server that answers only after <see cref="Flush"/>
/// returns never loses a granted lease to a crash. Not thread-safe: one writer (the lease table serialises).
/// </summary>
public sealed class LeaseJournal : ICompactableLeaseJournal
{
    private const string CompactSuffix = ".compact";
    private const string LockSuffix = ".lock";

    private readonly string _directory;
    private readonly LeaseJournalOptions _options;
    private readonly byte[] _scratch = new byte[LeaseJournalFormat.MaxRecordSize];
    private FileStream? _lock;
    private FileStream? _stream;
    private bool _dirty;
    private Exception? _fault;

    private LeaseJournal(string path, string directory, LeaseJournalOptions options)
    {
        Path = path;
        _directory = directory;
        _options = options;
    }

    /// <summary>Full path of the journal file.</summary>
    public string Path { get; }

    /// <summary>Records in the file: replayed at open plus appended since (after a compaction: the live set plus appended since).</summary>
    public long RecordCount { get; private set; }

    /// <summary>Bytes this instance wrote: appended records plus compaction rewrites.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Current length of the journal file, including buffered, not yet flushed records.</summary>
    public long Length { get; private set; }

    /// <summary>Damaged records skipped at open (each a run of bytes that failed its checksum with valid records after it).</summary>
    public int CorruptRecordsSkipped { get; private set; }

    /// <summary>Bytes of torn tail cut off at open (a record being written when the process died).</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>fsyncs performed by <see cref="Flush"/>.</summary>
    public long FlushCount { get; private set; }

    /// <summary>Completed compactions.</summary>
    public int CompactionCount { get; private set; }

    /// <summary>
    /// Opens (creating directories and file as needed) the journal at <paramref name="path"/>, replays it, cuts a torn
    /// tail and skips damaged records. Throws <see cref="IOException"/> when another process holds the journal,
    /// <see cref="InvalidDataException"/> when the file is not a lease journal, <see cref="NotSupportedException"/>
    /// when it was written by a newer format.
    /// </summary>
    public static LeaseJournal Open(string path, out IReadOnlyList<LeaseRecord> replayed, LeaseJournalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new LeaseJournalOptions();
        if (options.BufferSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BufferSize, "BufferSize must be positive.");
        }

        string fullPath = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(fullPath) ?? throw new ArgumentException("Journal path has no directory.", nameof(path));
        Directory.CreateDirectory(directory);

        var journal = new LeaseJournal(fullPath, directory, options);
        try
        {
            replayed = journal.OpenCore();
            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Read-only view of a journal (for Get-NfLease on a stopped server): the latest state per MAC address, in
    /// address order. Never modifies the file; a torn tail or damaged records are ignored. An absent file yields no leases.
    /// </summary>
    public static IReadOnlyList<Lease> ReadLeases(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return [];
        }

        byte[] data;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
        {
            data = ReadAll(stream);
        }

        switch (LeaseJournalFormat.CheckHeader(data))
        {
            case LeaseJournalFormat.HeaderStatus.Missing:
                return [];
            case LeaseJournalFormat.HeaderStatus.Foreign:
                throw new InvalidDataException($"'{path}' is not a NodeFoundry lease journal.");
            case LeaseJournalFormat.HeaderStatus.UnsupportedVersion:
                throw new NotSupportedException($"'{path}' was written by a newer lease journal format.");
            default:
                break;
        }

        LeaseJournalFormat.ScanResult scan = LeaseJournalFormat.Scan(data);
        return LeaseTable.LatestPerMac(scan.Records);
    }

    public void Append(in LeaseRecord record)
    {
        FileStream stream = Writable();
        int length = LeaseJournalFormat.Encode(record, _scratch);
        try
        {
            stream.Write(_scratch, 0, length);
        }
        catch (Exception ex)
        {
            _fault = ex;
            throw;
        }

        _dirty = true;
        RecordCount++;
        BytesWritten += length;
        Length += length;
    }

    /// <summary>Writes buffered records and fsyncs the file. Does nothing when nothing was appended since the last flush.</summary>
    public void Flush()
    {
        FileStream stream = Writable();
        if (!_dirty)
        {
            return;
        }

        try
        {
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex)
        {
            // After a failed fsync the kernel may have dropped the dirty pages: nothing appended can be trusted.
            _fault = ex;
            throw;
        }

        _dirty = false;
        FlushCount++;
    }

    /// <summary>
    /// Atomically replaces the journal with <paramref name="live"/>: writes a temporary file, fsyncs it, renames it
    /// over the journal and fsyncs the directory. A crash at any point leaves either the old or the new journal.
    /// </summary>
    public void Compact(IEnumerable<LeaseRecord> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        _ = Writable();
        string temp = Path + CompactSuffix;
        long count = 0;
        long length;
        try
        {
            using var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, _options.BufferSize, FileOptions.None);
            LeaseJournalFormat.WriteHeader(_scratch);
            output.Write(_scratch, 0, LeaseJournalFormat.HeaderSize);
            foreach (LeaseRecord record in live)
            {
                int n = LeaseJournalFormat.Encode(record, _scratch);
                output.Write(_scratch, 0, n);
                count++;
            }

            output.Flush(flushToDisk: true);
            length = output.Length;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        // Everything the old file holds is superseded by the temp file; close it so the rename also works on Windows.
        try
        {
            _stream!.Dispose();
        }
        catch (IOException)
        {
            // Its buffered tail went to the old file, which the rename replaces anyway.
        }

        _stream = null;
        try
        {
            File.Move(temp, Path, overwrite: true);
            DirectorySync.Fsync(_directory);
        }
        finally
        {
            try
            {
                _stream = OpenAppendStream();
            }
            catch (Exception ex)
            {
                _fault = ex;
            }
        }

        if (_stream is null)
        {
            throw new IOException($"Lease journal '{Path}' could not be reopened after compaction.", _fault);
        }

        _dirty = false;
        RecordCount = count;
        Length = length;
        BytesWritten += length;
        CompactionCount++;
    }

    public void Dispose()
    {
        try
        {
            if (_stream is not null && _dirty && _fault is null)
            {
                _stream.Flush(flushToDisk: true);
            }
        }
        finally
        {
            _stream?.Dispose();
            _stream = null;
            _lock?.Dispose();
            _lock = null;
            _fault ??= new ObjectDisposedException(nameof(LeaseJournal));
        }
    }

    private List<LeaseRecord> OpenCore()
    {
        if (_options.UseLockFile)
        {
            try
            {
                _lock = new FileStream(Path + LockSuffix, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex)
            {
                throw new IOException($"Lease journal '{Path}' is in use by another server (lock file '{Path + LockSuffix}').", ex);
            }
        }

        TryDelete(Path + CompactSuffix); // a compaction that died before its rename
        bool existed = File.Exists(Path);
        _stream = OpenAppendStream();
        _stream.Position = 0;
        byte[] data = ReadAll(_stream);

        List<LeaseRecord> records;
        switch (LeaseJournalFormat.CheckHeader(data))
        {
            case LeaseJournalFormat.HeaderStatus.Foreign:
                throw new InvalidDataException($"'{Path}' is not a NodeFoundry lease journal; refusing to overwrite it.");
            case LeaseJournalFormat.HeaderStatus.UnsupportedVersion:
                throw new NotSupportedException($"'{Path}' was written by a newer lease journal format.");
            case LeaseJournalFormat.HeaderStatus.Missing:
                TruncatedBytes = data.Length;
                _stream.SetLength(0);
                LeaseJournalFormat.WriteHeader(_scratch);
                _stream.Write(_scratch, 0, LeaseJournalFormat.HeaderSize);
                _stream.Flush(flushToDisk: true);
                if (!existed || data.Length == 0)
                {
                    DirectorySync.Fsync(_directory);
                }

                records = [];
                Length = LeaseJournalFormat.HeaderSize;
                break;
            default:
                LeaseJournalFormat.ScanResult scan = LeaseJournalFormat.Scan(data);
                records = scan.Records;
                CorruptRecordsSkipped = scan.CorruptRecords;
                if (scan.ValidLength < data.Length)
                {
                    TruncatedBytes = data.Length - scan.ValidLength;
                    _stream.SetLength(scan.ValidLength);
                    _stream.Flush(flushToDisk: true);
                }

                Length = scan.ValidLength;
                break;
        }

        _stream.Seek(0, SeekOrigin.End);
        RecordCount = records.Count;
        return records;
    }

    private FileStream OpenAppendStream()
    {
        var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, _options.BufferSize, FileOptions.None);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    private FileStream Writable()
    {
        if (_fault is not null)
        {
            throw _fault is ObjectDisposedException disposed
                ? disposed
                : new IOException($"Lease journal '{Path}' failed earlier and accepts no more writes.", _fault);
        }

        return _stream ?? throw new ObjectDisposedException(nameof(LeaseJournal));
    }

    private static byte[] ReadAll(FileStream stream)
    {
        long length = stream.Length;
        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"Lease journal '{stream.Name}' is larger than {Array.MaxLength} bytes.");
        }

        var data = new byte[length];
        stream.ReadExactly(data);
        return data;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
