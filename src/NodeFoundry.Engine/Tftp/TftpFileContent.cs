using Microsoft.Win32.SafeHandles;

namespace NodeFoundry.Tftp;

/// <summary>
/// The bytes one transfer sends: a fixed length taken when the transfer starts, read by offset. A
/// transfer owns its content and disposes it when it ends.
/// </summary>
public abstract class TftpFileContent : IDisposable
{
    public abstract long Length { get; }

    /// <summary>True when the bytes come from the hot-file cache rather than the disk.</summary>
    public abstract bool FromMemory { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; fewer only at the end (or when the file shrank).</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>An immutable snapshot: a reload makes a new array, so a transfer in progress never sees a mix of old and new.</summary>
    internal sealed class Memory(byte[] bytes) : TftpFileContent
    {
        public override long Length => bytes.LongLength;

        public override bool FromMemory => true;

        public override int Read(long offset, Span<byte> destination)
        {
            if (offset >= bytes.LongLength)
            {
                return 0;
            }

            var count = (int)Math.Min(destination.Length, bytes.LongLength - offset);
            bytes.AsSpan((int)offset, count).CopyTo(destination);
            return count;
        }
    }

    /// <summary>
    /// A file too large for the cache, read from an open handle. The handle pins the inode, so a file replaced by
    /// rename (the safe way to update) keeps serving its old bytes; a file rewritten in place that shrinks is
    /// detected as a short read and fails the transfer. Reads go through a read-ahead buffer of
    /// <see cref="ReadAheadBytes"/> (allocated on first use), so a transfer makes one <c>pread</c> per ~45 blocks of
    /// 1432 bytes instead of one per block; a block outside it (a rollback to an earlier window) refills it there.
    /// </summary>
    internal sealed class Disk(SafeFileHandle handle, long length) : TftpFileContent
    {
        internal const int ReadAheadBytes = 64 * 1024;
        private byte[]? _ahead;
        private long _aheadOffset;
        private int _aheadLength;

        public override long Length => length;

        public override bool FromMemory => false;

        public override int Read(long offset, Span<byte> destination)
        {
            if (offset >= length)
            {
                return 0;
            }

            var want = (int)Math.Min(destination.Length, length - offset);
            if (want > ReadAheadBytes / 2)
            {
                // Blocks this large gain nothing from a buffer (blksize up to 65464).
                return ReadFully(offset, destination[..want]);
            }

            if (_ahead is null || offset < _aheadOffset || offset + want > _aheadOffset + _aheadLength)
            {
                _ahead ??= new byte[ReadAheadBytes];
                _aheadOffset = offset;
                _aheadLength = ReadFully(offset, _ahead.AsSpan(0, (int)Math.Min(ReadAheadBytes, length - offset)));
            }

            // Fewer than wanted only when the file shrank under us (the caller fails the transfer).
            var available = (int)Math.Clamp(_aheadOffset + _aheadLength - offset, 0, want);
            _ahead.AsSpan((int)(offset - _aheadOffset), available).CopyTo(destination);
            return available;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                handle.Dispose();
            }
        }

        private int ReadFully(long offset, Span<byte> destination)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
    }
}
