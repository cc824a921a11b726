using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Probe;

/// <summary>Where a ROM-like fetch failed.</summary>
public enum TftpRomStage
{
    /// <summary>Nothing usable answered the read request.</summary>
    Request,

    /// <summary>The server's answer to the request was unacceptable (options, missing tsize).</summary>
    Negotiation,

    /// <summary>Data stopped, or the server ended the transfer with an ERROR.</summary>
    Transfer,

    /// <summary>The file arrived but is not what was announced.</summary>
    Verify,
}

/// <summary>Why a ROM-like fetch failed.</summary>
public enum TftpRomFailureCause
{
    /// <summary>The client's timeout (and its few retries) ran out: fatal for a ROM.</summary>
    Timeout,

    /// <summary>The server sent an ERROR packet (see <see cref="TftpRomResult.ServerError"/>).</summary>
    ServerError,

    /// <summary>The OACK carried an option or value the client did not ask for.</summary>
    OptionRejected,

    /// <summary>tsize was asked for and required, and the server did not answer it.</summary>
    MissingTransferSize,

    /// <summary>The bytes received differ from the announced tsize.</summary>
    SizeMismatch,

    /// <summary>A packet broke the protocol (oversized block, unparsable datagram from the server).</summary>
    ProtocolViolation,

    /// <summary>The file is larger than the client's bound.</summary>
    TooLarge,

    /// <summary>The client's socket failed.</summary>
    SocketError,

    /// <summary>The caller cancelled, or the whole-fetch deadline passed.</summary>
    Cancelled,
}

/// <summary>The outcome of one ROM-like TFTP fetch: what arrived, how long it took, what it cost, and where it failed.</summary>
public sealed record TftpRomResult
{
    public required string FileName { get; init; }

    public bool Succeeded => FailureStage is null;

    /// <summary>Bytes received in order.</summary>
    public long Bytes { get; init; }

    /// <summary>tsize from the OACK, when the server sent one.</summary>
    public long? AnnouncedSize { get; init; }

    /// <summary>Lower-case hex SHA-256 of the bytes received (of a complete file when <see cref="Succeeded"/>).</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>The file's bytes, when the options asked to keep them.</summary>
    public ReadOnlyMemory<byte>? Content { get; init; }

    /// <summary>From the first request to the last block (or the failure).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Block size in use: the OACK's, else 512.</summary>
    public int BlockSize { get; init; } = 512;

    /// <summary>Window size in use: the OACK's, else 1 (lock-step).</summary>
    public int WindowSize { get; init; } = 1;

    /// <summary>Whether the server answered with an OACK.</summary>
    public bool OptionsAcknowledged { get; init; }

    /// <summary>Read requests sent again because nothing answered.</summary>
    public int RequestRetransmits { get; init; }

    /// <summary>ACKs sent again after a client timeout (only when <see cref="TftpRomClientOptions.TransferRetries"/> allows).</summary>
    public int AckRetransmits { get; init; }

    /// <summary>DATA blocks received more than once: the server's retransmissions (and any duplication on the path).</summary>
    public int DuplicateBlocks { get; init; }

    /// <summary>DATA blocks received ahead of a missing one (windowed transfers).</summary>
    public int OutOfOrderBlocks { get; init; }

    /// <summary>
    /// Times the client's timer ran out while the server's next packet was already waiting in its socket: the
    /// client (this process) was late, not the server, so the packet was read instead of failing the fetch.
    /// </summary>
    public int LateReads { get; init; }

    /// <summary>Longest silence between two packets from the server during the transfer.</summary>
    public TimeSpan MaxInterPacketGap { get; init; }

    public TftpRomStage? FailureStage { get; init; }

    public TftpRomFailureCause? FailureCause { get; init; }

    /// <summary>The ERROR packet that ended the transfer, when one did.</summary>
    public TftpErrorCode? ServerError { get; init; }

    /// <summary>Words for a log line: what went wrong, or null.</summary>
    public string? Detail { get; init; }

    /// <summary>OVMF mode: the tsize probe that preceded the download.</summary>
    public TftpRomResult? Probe { get; init; }

    /// <summary>Goodput in bytes per second (0 for an instant or failed transfer).</summary>
    public double BytesPerSecond => Duration > TimeSpan.Zero ? Bytes / Duration.TotalSeconds : 0;

    public override string ToString() => Succeeded
        ? $"{FileName}: {Bytes} bytes in {Duration.TotalMilliseconds:F0} ms (blksize {BlockSize}, window {WindowSize}, dup blocks {DuplicateBlocks}, max gap {MaxInterPacketGap.TotalMilliseconds:F0} ms)"
        : $"{FileName}: failed at {FailureStage} ({FailureCause}{(ServerError is { } code ? $" {code}" : "")}) after {Bytes} bytes, {Duration.TotalMilliseconds:F0} ms: {Detail}";
}
