namespace NodeFoundry.Http;

/// <summary>
/// Bounds on a request head. A boot server's clients send short heads (iPXE, EDK2, curl: a few hundred
/// bytes), so tight limits cost nothing and cap the memory each connection can make us hold.
/// </summary>
public sealed record HttpRequestLimits
{
    /// <summary>Longest request line (method, target, version) in bytes; longer is 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8192;

    /// <summary>Most header fields; more is 431.</summary>
    public int MaxHeaderCount { get; init; } = 64;

    /// <summary>Largest header section in bytes (every field line and the blank line); larger is 431.</summary>
    public int MaxHeaderBytes { get; init; } = 16384;

    /// <summary>The most bytes a complete head can take (request line, its line end, up to four leading empty lines, headers).</summary>
    public int MaxHeadBytes => checked(MaxRequestLineBytes + MaxHeaderBytes + 16);
}
