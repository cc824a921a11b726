using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>Hot files from memory, reloaded on change, bounded; big files from disk.</summary>
public sealed class TftpFileStoreTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private TftpFileStore Store(long maxFile = 1 << 20, long maxTotal = 4 << 20) => new(new TftpRootResolver(_root.Path), maxFile, maxTotal);

    private static byte[] ReadAll(TftpFileContent content)
    {
        var bytes = new byte[content.Length];
        Assert.Equal(bytes.Length, content.Read(0, bytes));
        return bytes;
    }

    [Fact]
    public void Small_file_is_served_from_memory_and_loaded_once()
    {
        var bytes = _root.Write("undionly.kpxe", 70_000);
        var store = Store();
        using (var first = store.Open("undionly.kpxe", out _, out _)!)
        {
            Assert.True(first.FromMemory);
            Assert.Equal(bytes, ReadAll(first));
        }

        using var second = store.Open("undionly.kpxe", out _, out _)!;
        Assert.Equal(bytes, ReadAll(second));
        Assert.Equal(1, store.Loads);
        Assert.Equal(70_000, store.CachedBytes);
    }

    [Fact]
    public void Changed_file_is_reloaded_and_a_running_transfer_keeps_its_copy()
    {
        var v1 = _root.Write("ipxe.efi", 1000, seed: 1);
        var store = Store();
        using var running = store.Open("ipxe.efi", out _, out _)!;
        var v2 = _root.Write("ipxe.efi", 1200, seed: 2);
        File.SetLastWriteTimeUtc(Path.Combine(_root.Path, "ipxe.efi"), DateTime.UtcNow.AddMinutes(1));
        using var fresh = store.Open("ipxe.efi", out _, out _)!;
        Assert.Equal(v2, ReadAll(fresh));
        Assert.Equal(v1, ReadAll(running));
        Assert.Equal(2, store.Loads);
    }

    [Fact]
    public void Same_size_change_is_seen_through_the_modification_time()
    {
        _root.Write("nbp", 500, seed: 1);
        var store = Store();
        store.Open("nbp", out _, out _)!.Dispose();
        var v2 = _root.Write("nbp", 500, seed: 2);
        File.SetLastWriteTimeUtc(Path.Combine(_root.Path, "nbp"), DateTime.UtcNow.AddMinutes(1));
        using var again = store.Open("nbp", out _, out _)!;
        Assert.Equal(v2, ReadAll(again));
    }

    [Fact]
    public void File_changing_while_read_is_never_served_torn_the_last_good_copy_is()
    {
        var good = _root.Write("snponly.efi", 2000, seed: 1);
        var store = Store();
        store.Open("snponly.efi", out _, out _)!.Dispose();
        var path = Path.Combine(_root.Path, "snponly.efi");

        // A copy in progress: every read sees the file change under it.
        var stamp = DateTime.UtcNow.AddMinutes(1);
        store.ReadAllBytes = p =>
        {
            var torn = File.ReadAllBytes(p)[..1000];
            stamp = stamp.AddSeconds(1);
            File.SetLastWriteTimeUtc(p, stamp);
            return torn;
        };
        File.SetLastWriteTimeUtc(path, stamp);
        using var served = store.Open("snponly.efi", out _, out var detail)!;
        Assert.Equal(good, ReadAll(served));
        Assert.Contains("changing", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void File_changing_while_read_with_no_good_copy_is_refused_for_now()
    {
        _root.Write("new.efi", 2000);
        var store = Store();
        var stamp = DateTime.UtcNow;
        store.ReadAllBytes = p =>
        {
            stamp = stamp.AddSeconds(1);
            File.SetLastWriteTimeUtc(p, stamp);
            return File.ReadAllBytes(p);
        };
        Assert.Null(store.Open("new.efi", out var refusal, out var detail));
        Assert.Equal(TftpPathRefusal.NotFound, refusal);
        Assert.Contains("changing", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_file_is_read_from_disk()
    {
        var bytes = _root.Write("big", 3 << 20);
        using var content = Store(maxFile: 1 << 20).Open("big", out _, out _)!;
        Assert.False(content.FromMemory);
        Assert.Equal(bytes, ReadAll(content));
    }

    [Fact]
    public void Large_file_read_block_by_block_through_the_read_ahead_matches_after_rollbacks_and_fails_short_when_it_shrinks()
    {
        var bytes = _root.Write("big", 3 << 20);
        using var content = Store(maxFile: 1 << 20).Open("big", out _, out _)!;
        var block = new byte[1432];
        long offset = 0;
        foreach (var step in new long[] { 0, 1432 * 100, 1432 * 40, 1432 * 41, (3 << 20) - 1000, 1432 * 2000 })
        {
            // forwards in order, a rollback to an earlier window, the end of the file (a short last block)
            offset = step;
            for (var i = 0; i < 60 && offset < bytes.Length; i++, offset += block.Length)
            {
                var read = content.Read(offset, block);
                Assert.Equal((int)Math.Min(block.Length, bytes.Length - offset), read);
                Assert.True(bytes.AsSpan((int)offset, read).SequenceEqual(block.AsSpan(0, read)), $"bytes at {offset}");
            }
        }

        // Rewritten in place and shorter: a read past the new end comes back short (the transfer then fails).
        using (var shrink = new FileStream(Path.Combine(_root.Path, "big"), FileMode.Open, FileAccess.Write))
        {
            shrink.SetLength(1 << 20);
        }

        Assert.Equal(0, content.Read((2 << 20) + 1432 * 7, block));
        Assert.Equal(0, content.Read(3 << 20, block));
    }

    [Fact]
    public void Cache_stays_within_its_budget_evicting_the_least_recently_used()
    {
        var store = Store(maxFile: 1 << 20, maxTotal: 2 << 20);
        for (var i = 0; i < 5; i++)
        {
            _root.Write($"f{i}", 900_000, seed: i);
            store.Open($"f{i}", out _, out _)!.Dispose();
            Assert.InRange(store.CachedBytes, 0, 2 << 20);
        }
    }

    [Fact]
    public void Refusals_carry_the_reason()
    {
        var store = Store();
        Assert.Null(store.Open("missing", out var refusal, out _));
        Assert.Equal(TftpPathRefusal.NotFound, refusal);
        Assert.Null(store.Open("../x", out refusal, out _));
        Assert.Equal(TftpPathRefusal.BadComponent, refusal);
    }
}
