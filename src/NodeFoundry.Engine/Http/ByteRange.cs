namespace NodeFoundry.Http;

/// <summary>One satisfiable byte range, resolved against a representation's length: <c>[Start, Start + Length)</c>.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>Last byte position (inclusive), as Content-Range writes it.</summary>
    public long End => Start + Length - 1;

    /// <summary><c>bytes start-end/total</c>.</summary>
    public string ToContentRange(long total) => FormattableString.Invariant($"bytes {Start}-{End}/{total}");
}
