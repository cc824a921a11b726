namespace NodeFoundry.Http;

/// <summary>A piece of a response body: bytes in memory, or a byte range of the response's open file (sent by sendfile).</summary>
internal readonly record struct ResponsePart(ReadOnlyMemory<byte> Memory, long FileOffset, long FileLength)
{
    public bool IsFile => FileLength > 0;

    public long Length => IsFile ? FileLength : Memory.Length;

    public static ResponsePart FromMemory(ReadOnlyMemory<byte> memory) => new(memory, 0, 0);

    public static ResponsePart FromFile(long offset, long length) => new(ReadOnlyMemory<byte>.Empty, offset, length);
}
