namespace NodeFoundry.Fleet;

/// <summary>TFTP server behaviour (fleet file: <c>tftp</c>). Its port and root live under <c>server</c> (tftpPort, tftpRoot).</summary>
public sealed class TftpSettings
{
    /// <summary>Transfers running at once; more requests wait in the queue.</summary>
    public int MaxActiveTransfers { get; init; } = 64;

    /// <summary>Requests that may wait for a slot; beyond it they are dropped unanswered and the ROM retransmits.</summary>
    public int MaxQueuedTransfers { get; init; } = 4096;

    /// <summary>Longest a request waits before it starts regardless of the active cap (a ROM gives up at ~4 s).</summary>
    public TimeSpan MaxQueueWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest blksize granted; 1468 fills a 1500-byte MTU.</summary>
    public int MaxBlockSize { get; init; } = 1468;

    /// <summary>Largest windowsize granted (RFC 7440).</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>Serve all transfers from port 69 instead of one ephemeral port each (firewalled networks).</summary>
    public bool SinglePort { get; init; }

    /// <summary>Consecutive timeouts before a transfer fails.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Sends of a lost packet within one ROM timeout at least (the retransmission ceiling is the ROM's timeout ÷ this).</summary>
    public int RetransmitsPerClientTimeout { get; init; } = 8;

    /// <summary>From this many consecutive timeouts on, a lock-step retransmission goes out twice; 0 = never.</summary>
    public int DoubleResendAfterTimeouts { get; init; } = 2;

    /// <summary>Ceiling of the adaptive retransmission timeout.</summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Files up to this size are served from memory and reloaded when they change.</summary>
    public long MaxCachedFileBytes { get; init; } = 16 << 20;

    /// <summary>Nice value of the TFTP transfer loop thread (-20–0; 0 = leave it alone).</summary>
    public int LoopNice { get; init; } = -5;
}
