namespace NodeFoundry.Tftp;

/// <summary>
/// Opens files for transfers. Small files — the NBPs every node asks for — are served from memory and
/// reloaded when their size or modification time changes (one stat per request, no watcher to miss
/// events). A reload reads the whole file, then stats again: if the file changed while being read, the
/// read is retried and, failing that, the previous snapshot keeps being served, so a half-copied NBP is
/// never sent. Memory is bounded by <see cref="MaxCacheBytes"/> (least recently used files leave first).
/// Thread-safe.
/// </summary>
public sealed class TftpFileStore
{
    private const int ReloadAttempts = 3;
    private readonly TftpRootResolver _resolver;
    private readonly Dictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _cachedBytes;
    private long _useClock;

    public TftpFileStore(TftpRootResolver resolver, long maxCachedFileBytes = 16 << 20, long maxCacheBytes = 128 << 20)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        ArgumentOutOfRangeException.ThrowIfNegative(maxCachedFileBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCacheBytes);
        MaxCachedFileBytes = Math.Min(maxCachedFileBytes, Array.MaxLength);
        MaxCacheBytes = maxCacheBytes;
    }

    public TftpRootResolver Resolver => _resolver;

    /// <summary>Files up to this size are held in memory; larger ones are read from disk per block.</summary>
    public long MaxCachedFileBytes { get; }

    /// <summary>Total memory the cache may hold.</summary>
    public long MaxCacheBytes { get; }

    /// <summary>Bytes held now.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_gate)
            {
                return _cachedBytes;
            }
        }
    }

    /// <summary>How a whole file is read; a test seam to change the file in the middle of a read.</summary>
    internal Func<string, byte[]> ReadAllBytes { get; set; } = File.ReadAllBytes;

    /// <summary>Reloads done because a cached file changed on disk (or was first read).</summary>
    public long Loads { get; private set; }

    /// <summary>
    /// Resolves and opens <paramref name="name"/>. On failure <paramref name="refusal"/> says why, and
    /// <paramref name="detail"/> carries an I/O error's message when the refusal is <see cref="TftpPathRefusal.NotFound"/> for an I/O reason.
    /// </summary>
    public TftpFileContent? Open(string name, out TftpPathRefusal refusal, out string? detail)
    {
        detail = null;
        if (!_resolver.TryResolve(name, out var path, out refusal))
        {
            return null;
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Length <= MaxCachedFileBytes && info.Length <= MaxCacheBytes)
            {
                return OpenCached(path, info, out detail) is { } bytes ? new TftpFileContent.Memory(bytes) : Fail(out refusal);
            }

            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new TftpFileContent.Disk(handle, RandomAccess.GetLength(handle));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            detail = ex.Message;
            refusal = TftpPathRefusal.NotFound;
            return null;
        }
    }

    private static TftpFileContent? Fail(out TftpPathRefusal refusal)
    {
        refusal = TftpPathRefusal.NotFound;
        return null;
    }

    private byte[]? OpenCached(string path, FileInfo info, out string? detail)
    {
        detail = null;
        Entry? previous;
        lock (_gate)
        {
            if (_cache.TryGetValue(path, out previous) && previous.Length == info.Length && previous.Modified == info.LastWriteTimeUtc)
            {
                previous.LastUse = ++_useClock;
                return previous.Bytes;
            }
        }

        for (var attempt = 0; attempt < ReloadAttempts; attempt++)
        {
            // FileInfo stats lazily, on first property access: read both values now, before the file is read.
            var before = new FileInfo(path);
            var (lengthBefore, modifiedBefore) = (before.Length, before.LastWriteTimeUtc);
            var bytes = ReadAllBytes(path);
            var after = new FileInfo(path);
            if (bytes.LongLength == lengthBefore && lengthBefore == after.Length && modifiedBefore == after.LastWriteTimeUtc)
            {
                Store(path, bytes, modifiedBefore);
                return bytes;
            }
        }

        // Still being written: the last good snapshot is better than a torn file; with none, refuse for now
        // (the client's retransmitted request will likely find the copy finished).
        detail = "the file is changing on disk";
        return previous?.Bytes;
    }

    private void Store(string path, byte[] bytes, DateTime modified)
    {
        lock (_gate)
        {
            Loads++;
            if (_cache.Remove(path, out var old))
            {
                _cachedBytes -= old.Bytes.LongLength;
            }

            while (_cachedBytes + bytes.LongLength > MaxCacheBytes && _cache.Count > 0)
            {
                var oldest = _cache.MinBy(pair => pair.Value.LastUse);
                _cache.Remove(oldest.Key);
                _cachedBytes -= oldest.Value.Bytes.LongLength;
            }

            _cache[path] = new Entry(bytes, bytes.LongLength, modified) { LastUse = ++_useClock };
            _cachedBytes += bytes.LongLength;
        }
    }

    private sealed record Entry(byte[] Bytes, long Length, DateTime Modified)
    {
        public long LastUse { get; set; }
    }
}
