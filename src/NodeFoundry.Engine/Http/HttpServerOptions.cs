using System.Net;
using NodeFoundry.Fleet;

namespace NodeFoundry.Http;

/// <summary>How the HTTP boot server binds, what it serves, and the bounds that keep it standing under hostile or broken clients.</summary>
public sealed record HttpServerOptions
{
    /// <summary>Address to bind. The fleet file's server address in production; 127.0.0.1 in tests.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>TCP port; 0 picks a free one (tests read <see cref="HttpBootServer.LocalEndPoint"/>).</summary>
    public int Port { get; init; } = 80;

    /// <summary>Folder of static files (kernels, initrds, ISOs). A missing folder is not fatal: routes still answer, files are 404.</summary>
    public string Root { get; init; } = "http";

    public HttpRequestLimits Limits { get; init; } = new();

    /// <summary>How long a kept-alive connection may sit with no request started before we close it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a request head may take from its first byte to its blank line. Absolute, not per read:
    /// a slowloris client trickling a byte at a time is cut off here however steadily it trickles.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one chunk of a response (<see cref="SendChunkBytes"/>) may take to leave. A client that
    /// stops reading is dropped after this instead of pinning a connection slot forever.
    /// </summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Bytes handed to the kernel per send call; the <see cref="SendTimeout"/> applies to each (4 MiB in 60 s ≈ 70 KB/s
    /// minimum, far below any boot client on a LAN). Each call costs a few system calls and thread-pool hand-offs
    /// beyond its <c>sendfile</c>s, so larger chunks are cheaper per byte: 4 MiB rather than 1 MiB cut a 64 MiB
    /// download's calls from 64 to 16.
    /// </summary>
    public int SendChunkBytes { get; init; } = 4 << 20;

    /// <summary>
    /// On Linux, send files with sendfile(2) called directly and wait for writability on the server's own epoll
    /// threads (no lseek/fstat and no thread-pool hand-off per chunk; docs/http-server.md), and try a response held in
    /// memory with one send(2) before the runtime's asynchronous send. Off, or on other systems, the portable
    /// SendPacketsAsync and SendAsync paths are used. On by default; an escape hatch, and the way tests cover both paths.
    /// </summary>
    public bool DirectSendfile { get; init; } = true;

    /// <summary>
    /// On Linux, read requests with recv(2) called directly and wait for the next request on the server's own epoll
    /// threads, which then answer it right there (no thread-pool hand-off per request; docs/http-server.md). Off, or on
    /// other systems, the runtime's asynchronous socket receive is used. On by default; an escape hatch, and the way
    /// tests cover both paths.
    /// </summary>
    public bool DirectReceive { get; init; } = true;

    /// <summary>
    /// Most connections open at once; the next is answered 503 and closed. Sized for a fleet, not a web site: every
    /// node of a mass power-on holds one keep-alive connection for its kernel and initrd at the same time, and a
    /// 503 is a failed boot (the storm bench lost hundreds of a 2,000-node storm at the old 1,024).
    /// </summary>
    public int MaxConnections { get; init; } = HttpSettings.DefaultMaxConnections;

    /// <summary>Most requests on one connection before we close it (bounds any one client's share).</summary>
    public int MaxRequestsPerConnection { get; init; } = 10_000;

    /// <summary>Most ranges honoured in one Range header; more and the whole file is sent instead.</summary>
    public int MaxRanges { get; init; } = 16;

    /// <summary>Files up to this size are read into the response buffer (one send with the head); larger ones go by sendfile.</summary>
    public int SmallFileBytes { get; init; } = 64 * 1024;

    /// <summary>Listen backlog: a mass power-on opens hundreds of connections in the same second.</summary>
    public int Backlog { get; init; } = 4096;

    /// <summary>
    /// The link budget in bytes per second on the wire (frames, headers included) for everything the server sends;
    /// null sends unpaced. The engines that share the link (<see cref="HttpBootServer.ShareLinkWith"/>: TFTP in a boot
    /// stack) take what they send first; the file bodies in flight share the rest equally, each paced by the kernel's
    /// per-socket SO_MAX_PACING_RATE (<see cref="EgressPacer"/>), so the server's own bulk sends stay below its link
    /// rate instead of overfilling the link's queue. Linux only; elsewhere it is ignored.
    /// </summary>
    public long? EgressBytesPerSecond { get; init; }

    /// <summary>The Server header value.</summary>
    public string ServerName { get; init; } = "NodeFoundry";

    /// <summary>Options for a server configured by the fleet file: its address, HTTP port and root.</summary>
    public static HttpServerOptions FromFleet(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return new HttpServerOptions
        {
            ListenAddress = fleet.Server.Address,
            Port = fleet.Server.HttpPort,
            Root = fleet.Server.HttpRoot,
            MaxConnections = fleet.Http.MaxConnections,
            EgressBytesPerSecond = fleet.Http.EgressMbps is { } mbps ? mbps * 1_000_000L / 8 : null,
        };
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    internal void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"HTTP server options: {message}");
            }
        }

        Require(Port is >= 0 and <= 65535, $"port {Port} is not 0–65535");
        Require(!string.IsNullOrEmpty(Root), "root folder is empty");
        Require(IdleTimeout > TimeSpan.Zero && RequestTimeout > TimeSpan.Zero && SendTimeout > TimeSpan.Zero, "timeouts must be positive");
        Require(MaxConnections >= 1 && MaxRequestsPerConnection >= 1 && MaxRanges >= 1 && Backlog >= 1, "connection, request, range and backlog limits must be at least 1");
        Require(SendChunkBytes >= 4096 && SmallFileBytes >= 0, "send chunk must be at least 4 KiB");
        Require(EgressBytesPerSecond is null or >= EgressPacer.MinimumShare, $"egress budget must be at least {EgressPacer.MinimumShare} bytes/s");
        Require(Limits.MaxRequestLineBytes >= 64 && Limits.MaxHeaderBytes >= 64 && Limits.MaxHeaderCount >= 1, "request limits are too small to hold any real request");
    }
}
