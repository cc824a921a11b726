using System.Net;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tftp;

/// <summary>How a TFTP server binds, what it serves and how it paces transfers.</summary>
public sealed record TftpServerOptions
{
    /// <summary>Address to bind. <see cref="IPAddress.Any"/> plus <see cref="InterfaceName"/> is the production shape.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>The port requests arrive on (69).</summary>
    public int Port { get; init; } = 69;

    /// <summary>Bind to this interface (Linux SO_BINDTODEVICE), request socket and transfer sockets alike.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>The folder served. Read-only; every name is confined to it.</summary>
    public string Root { get; init; } = "tftp";

    /// <summary>Transfers running at once in the steady state; further requests wait in the queue.</summary>
    public int MaxActiveTransfers { get; init; } = 64;

    /// <summary>
    /// Requests that may wait; beyond it a request is dropped unanswered (the ROM retransmits it) rather than refused
    /// (fatal). Large enough for a whole fleet's first requests at once (a queued request costs a few hundred bytes):
    /// a dropped request costs its ROM 4 s and one of its few retries, and four drops in a row end its boot.
    /// </summary>
    public int MaxQueuedTransfers { get; init; } = 4096;

    /// <summary>
    /// Longest a request waits in the queue before it starts even above <see cref="MaxActiveTransfers"/>: a
    /// PXE ROM gives up after about 4 s without an answer, so a late start beats no start.
    /// </summary>
    public TimeSpan MaxQueueWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest blksize granted (1468 fills a 1500-byte MTU: 1500 − 20 IP − 8 UDP − 4 TFTP).</summary>
    public int MaxBlockSize { get; init; } = 1468;

    /// <summary>Largest windowsize granted (RFC 7440).</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>Serve every transfer from the request port instead of one ephemeral port each (for firewalls that pass only port 69).</summary>
    public bool SinglePort { get; init; }

    /// <summary>Retransmission timeout before any round trip was measured.</summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Floor of the measured timeout: on a LAN the round trip is sub-millisecond, but a busy client answers later than that.</summary>
    public TimeSpan MinRetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Absolute ceiling of the timeout after back-off. The effective ceiling is the smaller of this and the client's
    /// timeout ÷ <see cref="RetransmitsPerClientTimeout"/> (500 ms for a ROM's 4 s by default).
    /// </summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a client waits for our next packet before it gives up: a PXE ROM's ~4 s, after which it fails the
    /// boot. A client that sends the RFC 2349 <c>timeout</c> option is taken at its word instead.
    /// </summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Sends of a lost packet the server makes at least within one client timeout: the retransmission interval
    /// (measured round trip, back-off included) is capped at the client's timeout ÷ this. With a ROM's 4 s and the
    /// default 8 that is 500 ms; a client that asks a shorter RFC 2349 <c>timeout</c> gets proportionally shorter
    /// intervals. 8 since the storm bench's run 9: with the simulator no longer stalling (its own lateness measured),
    /// 2,000 ROMs at 1% loss behind a drop-tail link full of HTTP lost 12–101 nodes at 4 (1 s) and 0 in two of four
    /// storms at 8 with doubling, the other two failing in one-second cohorts of a stalled process (docs/tftp.md).
    /// </summary>
    public int RetransmitsPerClientTimeout { get; init; } = 8;

    /// <summary>
    /// Retransmissions without progress before a transfer fails — at least this many, and never before
    /// <see cref="ClientTimeout"/> (plus one interval) has passed since the client last made progress, so the server
    /// never gives up on a ROM that is still listening.
    /// </summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>
    /// From this many consecutive timeouts on, a lock-step transfer sends its retransmitted packet (a DATA block or
    /// the OACK) twice in a row: against random loss a client that keeps missing packets gets two chances per
    /// interval for one small packet more. Default 2 (with <see cref="RetransmitsPerClientTimeout"/> 8, see there);
    /// 0 turns it off. Windowed transfers never double.
    /// </summary>
    public int DoubleResendAfterTimeouts { get; init; } = 2;

    /// <summary>How long a client that aborted after a tsize probe keeps its slot for the download that follows (OVMF).</summary>
    public TimeSpan ProbeReservation { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Files up to this size are served from memory.</summary>
    public long MaxCachedFileBytes { get; init; } = 16 << 20;

    /// <summary>Memory the hot-file cache may use in total.</summary>
    public long MaxCacheBytes { get; init; } = 128 << 20;

    /// <summary>Inbound datagrams buffered between the sockets and the transfer loop; beyond it they are dropped and counted.</summary>
    public int MaxInboundBacklog { get; init; } = 16384;

    /// <summary>
    /// The nice value of the transfer loop thread, and only that thread (Linux: setpriority on its thread id; -20–0,
    /// 0 = leave it alone). A boot storm oversubscribes the CPU with HTTP work, and the loop is the one thread whose
    /// lateness kills boots: a PXE ROM fails after one ~4 s timeout. Without the privilege (root or CAP_SYS_NICE)
    /// the server says so once (<see cref="TftpServer.LoopPriority"/>) and runs at the default priority.
    /// </summary>
    public int LoopNice { get; init; } = -5;

    /// <summary>Tests: keep the runtime's asynchronous receives even where the epoll path is available.</summary>
    internal bool PortableReceiveOnly { get; init; }

    /// <summary>Options for a server configured by the fleet file: port, root, interface and the <c>tftp</c> section.</summary>
    public static TftpServerOptions FromFleet(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var tftp = fleet.Tftp;
        return new TftpServerOptions
        {
            Port = fleet.Server.TftpPort,
            Root = fleet.Server.TftpRoot,
            InterfaceName = fleet.Server.Interface,
            MaxActiveTransfers = tftp.MaxActiveTransfers,
            MaxQueuedTransfers = tftp.MaxQueuedTransfers,
            MaxQueueWait = tftp.MaxQueueWait,
            MaxBlockSize = tftp.MaxBlockSize,
            MaxWindowSize = tftp.MaxWindowSize,
            SinglePort = tftp.SinglePort,
            MaxRetries = tftp.MaxRetries,
            RetransmitsPerClientTimeout = tftp.RetransmitsPerClientTimeout,
            DoubleResendAfterTimeouts = tftp.DoubleResendAfterTimeouts,
            MaxRetransmitTimeout = tftp.MaxRetransmitTimeout,
            MaxCachedFileBytes = tftp.MaxCachedFileBytes,
            LoopNice = tftp.LoopNice,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Check(MaxActiveTransfers >= 1, nameof(MaxActiveTransfers), "must be at least 1");
        Check(MaxQueuedTransfers >= 0, nameof(MaxQueuedTransfers), "must not be negative");
        Check(MaxBlockSize is >= 512 and <= Wire.TftpOptionNames.MaxBlockSize, nameof(MaxBlockSize), "must be 512–65464");
        Check(MaxWindowSize is >= 1 and <= Wire.TftpOptionNames.MaxWindowSize, nameof(MaxWindowSize), "must be 1–65535");
        Check(MinRetransmitTimeout > TimeSpan.Zero && MinRetransmitTimeout <= MaxRetransmitTimeout, nameof(MinRetransmitTimeout), "must be positive and at most MaxRetransmitTimeout");
        Check(InitialRetransmitTimeout > TimeSpan.Zero, nameof(InitialRetransmitTimeout), "must be positive");
        Check(MaxRetries >= 1, nameof(MaxRetries), "must be at least 1");
        Check(ClientTimeout > TimeSpan.Zero, nameof(ClientTimeout), "must be positive");
        Check(RetransmitsPerClientTimeout >= 1, nameof(RetransmitsPerClientTimeout), "must be at least 1");
        Check(DoubleResendAfterTimeouts >= 0, nameof(DoubleResendAfterTimeouts), "must not be negative");
        Check(MaxQueueWait >= TimeSpan.Zero, nameof(MaxQueueWait), "must not be negative");
        Check(MaxInboundBacklog >= 16, nameof(MaxInboundBacklog), "must be at least 16");
        Check(LoopNice is >= -20 and <= 0, nameof(LoopNice), "must be -20–0 (0 leaves the loop thread's priority alone)");
        Check(Port is >= 0 and <= 65535, nameof(Port), "must be 0–65535");
    }

    private static void Check(bool ok, string name, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"TFTP option {name} {rule}.", name);
        }
    }
}
