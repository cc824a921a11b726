using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace NodeFoundry.BootPath;

/// <summary>
/// Where and how <see cref="BootPathTester"/> probes. Set <see cref="Servers"/> to probe relay style (DHCP
/// servers answer the probe's address as they answer a relay: works over routed networks and loopback), or
/// <see cref="InterfaceName"/> to broadcast on a segment as firmware does (root, SO_BINDTODEVICE, port 68).
/// </summary>
public sealed record BootPathOptions
{
    /// <summary>DHCP servers to ask relay style (each like a relay's helper address), usually port 67.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>Relay style: the local address sent as giaddr; null picks the address that routes to the first server.</summary>
    public IPAddress? RelayAddress { get; init; }

    /// <summary>Relay style: the local port replies come to (servers answer relays on 67; tests use an ephemeral port).</summary>
    public int RelayPort { get; init; } = 67;

    /// <summary>Broadcast style: the interface to probe on.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>The client MAC the probes carry (a node's, for per-node answers); null: a locally administered one.</summary>
    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>Option 93 values to probe as; each also as iPXE where iPXE would run.</summary>
    public IReadOnlyList<ushort> Architectures { get; init; } = BootPathFirmware.DefaultArchitectures;

    /// <summary>How long to collect offers: every server that answers within it is seen (firmware's first retransmit comes at ~4 s).</summary>
    public TimeSpan OfferWindow { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Timeout of each TFTP packet wait and each HTTP request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The TFTP port on next-server.</summary>
    public int TftpPort { get; init; } = 69;

    /// <summary>What the answers should be; null checks only what holds for every boot server.</summary>
    public BootPathExpectations? Expect { get; init; }

    /// <summary>Makes and binds UDP sockets (DHCP, TFTP), e.g. inside a network namespace; null: plain sockets.</summary>
    public Func<IPEndPoint, Socket>? BindUdp { get; init; }

    /// <summary>Opens HTTP connections (e.g. inside a network namespace); null: plain TCP.</summary>
    public Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>? ConnectTcp { get; init; }

    public void Validate()
    {
        if (Servers.Count == 0 == string.IsNullOrEmpty(InterfaceName))
        {
            throw new ArgumentException("Probe either relay style (Servers) or on an interface (InterfaceName), not both or neither.");
        }

        if (Architectures.Count == 0)
        {
            throw new ArgumentException("Probe at least one architecture.", nameof(Architectures));
        }

        if (OfferWindow <= TimeSpan.Zero || Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(OfferWindow), "OfferWindow and Timeout must be positive.");
        }
    }
}
