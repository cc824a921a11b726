using System.Collections.Concurrent;

namespace NodeFoundry.Http;

/// <summary>
/// The bytes of small static files (iPXE scripts, configs: up to <see cref="HttpServerOptions.SmallFileBytes"/>),
/// kept after the first read so a busy script route costs one stat per request instead of open, lock, stat, read
/// and close. An entry is used only while the file's size and modification time (from the stat the resolver made
/// for this request) are the ones it was read with, so a changed file is read again at once. Files modified in the
/// last <see cref="SettleTime"/> are not kept: on a file system with coarse timestamps a second write within the same
/// tick would otherwise go unseen. Bounded: at most <see cref="MaxEntries"/> files and <see cref="MaxBytes"/> bytes;
/// when full, further files are simply served from disk. Safe for concurrent connections.
/// </summary>
internal sealed class SmallFileCache
{
    public const int MaxEntries = 1024;
    public const long MaxBytes = 16L << 20;
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _bytes;

    public int Count => _entries.Count;

    /// <summary>The cached bytes of <paramref name="path"/> if they are still the file's (same size and modification time).</summary>
    public byte[]? TryGet(string path, long length, DateTime lastWriteUtc) =>
        _entries.TryGetValue(path, out var entry) && entry.Bytes.LongLength == length && entry.LastWriteUtc == lastWriteUtc
            ? entry.Bytes
            : null;

    /// <summary>Keeps <paramref name="bytes"/>, read from <paramref name="path"/> whose size and time were checked before and after the read.</summary>
    public void Add(string path, byte[] bytes, DateTime lastWriteUtc, DateTime nowUtc)
    {
        if (nowUtc - lastWriteUtc < SettleTime)
        {
            return;
        }

        var entry = new Entry(bytes, lastWriteUtc);
        if (_entries.TryGetValue(path, out var old))
        {
            if (_entries.TryUpdate(path, entry, old))
            {
                Interlocked.Add(ref _bytes, bytes.LongLength - old.Bytes.LongLength);
            }

            return;
        }

        if (_entries.Count >= MaxEntries || Interlocked.Read(ref _bytes) + bytes.LongLength > MaxBytes)
        {
            return;
        }

        if (_entries.TryAdd(path, entry))
        {
            Interlocked.Add(ref _bytes, bytes.LongLength);
        }
    }

    private sealed record Entry(byte[] Bytes, DateTime LastWriteUtc);
}
