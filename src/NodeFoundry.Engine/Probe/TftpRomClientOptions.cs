using System.Net;
using System.Net.Sockets;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Probe;

/// <summary>
/// How a <see cref="TftpRomClient"/> behaves. The defaults are a PXE option ROM's: tsize and blksize 1432
/// asked for, lock-step, a 4 s timeout, the read request retried a few times, and any timeout once data
/// flows is fatal — the ROM does not resume, the node fails to boot.
/// </summary>
public sealed record TftpRomClientOptions
{
    /// <summary>Block size asked for (RFC 2348). iPXE asks 1432; Intel/Broadcom ROMs 1456; OVMF 1468.</summary>
    public int BlockSize { get; init; } = 1432;

    /// <summary>Window size asked for (RFC 7440); null = lock-step, the option is not sent.</summary>
    public int? WindowSize { get; init; }

    /// <summary>Ask for tsize (RFC 2349) with the value 0, as ROMs do.</summary>
    public bool RequestTransferSize { get; init; } = true;

    /// <summary>Fail when the server does not answer tsize (some ROMs do); needs <see cref="RequestTransferSize"/>.</summary>
    public bool RequireTransferSize { get; init; } = true;

    /// <summary>How long the client waits for the server's next packet.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Times the read request is sent again when nothing answers it (so 1 + this many in all).</summary>
    public int RequestRetries { get; init; } = 3;

    /// <summary>Times the last ACK is sent again when the data stalls; 0 = any timeout during the transfer is fatal (a ROM).</summary>
    public int TransferRetries { get; init; }

    /// <summary>A file larger than this is abandoned (the client keeps memory bounded).</summary>
    public long MaxBytes { get; init; } = 256L << 20;

    /// <summary>Keep the file's bytes in the result (otherwise only its length and SHA-256).</summary>
    public bool KeepContent { get; init; }

    /// <summary>Upper bound on one whole fetch, whatever happens.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Address the client's socket binds to (port always ephemeral).</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Any;

    /// <summary>Makes and binds the client's socket (e.g. inside a test's network namespace). Null: a plain UDP socket.</summary>
    public Func<IPEndPoint, Socket>? BindSocket { get; init; }

    /// <summary>The clock of the client's timeouts and deadline (tests pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Tests only: opens the client's socket instead of <see cref="BindSocket"/> (a scripted one).</summary>
    internal Func<IPEndPoint, ITftpRomSocket>? OpenSocket { get; init; }

    /// <summary>
    /// OVMF's TFTP (EDK2 Mtftp4): <c>tsize=0 blksize=1468 windowsize=4</c>; see
    /// <see cref="TftpRomClient.FetchOvmfStyleAsync"/> for its probe-abort-download sequence.
    /// </summary>
    public static TftpRomClientOptions Ovmf { get; } = new() { BlockSize = 1468, WindowSize = 4 };

    /// <summary>The options as they go into the read request, in the order ROMs send them.</summary>
    public IReadOnlyList<TftpOption> RequestOptions()
    {
        var options = new List<TftpOption>();
        if (RequestTransferSize)
        {
            options.Add(new TftpOption(TftpOptionNames.TransferSize, "0"));
        }

        options.Add(new TftpOption(TftpOptionNames.BlockSize, BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (WindowSize is { } window)
        {
            options.Add(new TftpOption(TftpOptionNames.WindowSize, window.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return options;
    }

    public void Validate()
    {
        if (BlockSize < TftpOptionNames.MinBlockSize || BlockSize > TftpOptionNames.MaxBlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "blksize is 8–65464 (RFC 2348).");
        }

        if (WindowSize is < TftpOptionNames.MinWindowSize or > TftpOptionNames.MaxWindowSize)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, "windowsize is 1–65535 (RFC 7440).");
        }

        if (Timeout <= TimeSpan.Zero || Deadline <= TimeSpan.Zero || RequestRetries < 0 || TransferRetries < 0 || MaxBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), "Timeout and Deadline must be positive; retries and MaxBytes cannot be negative.");
        }

        ArgumentNullException.ThrowIfNull(LocalAddress);
        ArgumentNullException.ThrowIfNull(Time);
    }
}
