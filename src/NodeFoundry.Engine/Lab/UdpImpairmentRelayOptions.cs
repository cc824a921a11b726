using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Lab;

/// <summary>How a <see cref="UdpImpairmentRelay"/> listens, where it forwards, and what it does to the traffic.</summary>
public sealed record UdpImpairmentRelayOptions
{
    /// <summary>Where clients send (port 0 picks a free one; see <see cref="UdpImpairmentRelay.LocalEndPoint"/>).</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>The server the relay forwards to.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>
    /// Address the per-client upstream sockets bind to (port always ephemeral); null = any. Set it where the clients'
    /// own addresses are local too (one namespace for clients and relay): a wildcard upstream socket also receives
    /// what is sent to a client's address on its port once that client has closed it — a late datagram of an ended
    /// transfer then reaches whichever later client's mapping holds that port number (docs/performance.md, run 13).
    /// </summary>
    public IPAddress? UpstreamAddress { get; init; }

    /// <summary>Impairment of client → server datagrams.</summary>
    public UdpImpairment ClientToServer { get; init; } = UdpImpairment.None;

    /// <summary>Impairment of server → client datagrams.</summary>
    public UdpImpairment ServerToClient { get; init; } = UdpImpairment.None;

    /// <summary>
    /// Seed of every random decision. Each client mapping gets its own generator per direction, derived
    /// from this seed and the order in which mappings were opened, so one client's fate does not depend on
    /// how its datagrams interleave with other clients'.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// When the server answers from another port than <see cref="Target"/>'s (TFTP's transfer ID, RFC 1350
    /// §4), answer the client from a relay port of its own for that server port, and forward what the
    /// client sends there to that server port. Off: every reply comes from the listen port.
    /// </summary>
    public bool MirrorReplyPorts { get; init; } = true;

    /// <summary>A mapping (client endpoint → upstream socket) with no traffic for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Clients beyond this many live mappings are dropped (counted), not queued.</summary>
    public int MaxMappings { get; init; } = 4096;

    /// <summary>Mirrored reply ports per mapping (<see cref="MirrorReplyPorts"/>); more are dropped and counted.</summary>
    public int MaxReplyPortsPerMapping { get; init; } = 8;

    /// <summary>Delayed or held datagrams in flight at once; beyond it a datagram that would wait is dropped and counted.</summary>
    public int MaxPendingDatagrams { get; init; } = 65_536;

    /// <summary>
    /// Largest datagram relayed; each socket's receive buffer has this size, so memory stays at about
    /// this × (1 + reply ports) per mapping. 9216 holds a jumbo frame (TFTP blksize up to 9212); a larger
    /// datagram is dropped and counted as a receive error.
    /// </summary>
    public int MaxDatagramBytes { get; init; } = 9216;

    /// <summary>The relay stops by itself after this long, whatever its caller does.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Makes and binds every socket the relay uses (e.g. inside a test's network namespace). Null: a plain UDP socket.</summary>
    public Func<IPEndPoint, Socket>? BindSocket { get; init; }

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Listen);
        ArgumentNullException.ThrowIfNull(Target);
        ArgumentNullException.ThrowIfNull(ClientToServer);
        ArgumentNullException.ThrowIfNull(ServerToClient);
        ClientToServer.Validate();
        ServerToClient.Validate();
        if (IdleTimeout <= TimeSpan.Zero || Lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), "IdleTimeout and Lifetime must be positive.");
        }

        if (MaxDatagramBytes is < 512 or > 65_535)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDatagramBytes), MaxDatagramBytes, "MaxDatagramBytes is 512–65535.");
        }

        if (MaxMappings < 1 || MaxReplyPortsPerMapping < 0 || MaxPendingDatagrams < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMappings), "MaxMappings must be at least 1; the other caps cannot be negative.");
        }
    }
}
