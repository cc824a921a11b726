using System.Net;
using NodeFoundry.Probe;

namespace NodeFoundry.Simulation;

/// <summary>
/// A simulated boot storm: how many nodes, how they power on, where the boot server is, and the bounds. DHCP
/// goes relay-style (giaddr = <see cref="RelayAddress"/>, replies unicast to <see cref="DhcpReplyEndPoint"/>), so
/// one client address can stand for thousands of nodes against a remote server; TFTP and HTTP go from
/// <see cref="SourceAddresses"/> (round robin) or, where the server is local, from each node's leased address.
/// </summary>
public sealed record StormOptions
{
    /// <summary>Where DHCP requests go (the server's port 67, or an impairment relay in front of it).</summary>
    public required IPEndPoint DhcpServer { get; init; }

    /// <summary>
    /// Where the simulator listens for DHCP replies; the server sends them to giaddr on its relay port (67 unless
    /// configured), so this is usually <c>RelayAddress:67</c>. Port 0: any free port (tests set the server's relay port to it).
    /// </summary>
    public required IPEndPoint DhcpReplyEndPoint { get; init; }

    /// <summary>giaddr in every request; null: the address of <see cref="DhcpReplyEndPoint"/>.</summary>
    public IPAddress? RelayAddress { get; init; }

    /// <summary>Where TFTP requests go; null: the OFFER's next-server on port 69.</summary>
    public IPEndPoint? TftpServer { get; init; }

    /// <summary>Simulated nodes.</summary>
    public int Nodes { get; init; } = 100;

    /// <summary>Nodes booting at once at most; a node powered on while all slots are busy waits for one (as a powered-on wave would).</summary>
    public int Concurrency { get; init; } = 2000;

    /// <summary>Zero: every node powers on at once; otherwise power-on times spread evenly over this span.</summary>
    public TimeSpan Ripple { get; init; } = TimeSpan.Zero;

    /// <summary>The whole storm's bound: nodes not finished by then fail with <see cref="StormFailureCause.Deadline"/>.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>02:4e:46:00:00:00 — locally administered ("NF"), so simulated MACs never collide with real NICs.</summary>
    public const ulong DefaultFirstMac = 0x02_4E_46_00_00_00UL;

    /// <summary>The first node's MAC; node i gets it plus i.</summary>
    public ulong FirstMac { get; init; } = DefaultFirstMac;

    /// <summary>Option 93 the firmware sends: 0 BIOS (undionly.kpxe), 7 EFI x64, …</summary>
    public ushort Architecture { get; init; }

    /// <summary>Firmware's DHCP retransmits.</summary>
    public DhcpRetransmitSchedule FirmwareRetransmits { get; init; } = DhcpRetransmitSchedule.Pxe;

    /// <summary>iPXE's DHCP retransmits.</summary>
    public DhcpRetransmitSchedule IpxeRetransmits { get; init; } = DhcpRetransmitSchedule.Ipxe;

    /// <summary>How the NBP is fetched: a PXE ROM's defaults (tsize, blksize 1432, 4 s fatal timeout). LocalAddress and Deadline are set per node.</summary>
    public TftpRomClientOptions Tftp { get; init; } = new();

    /// <summary>Addresses TFTP and HTTP bind to, node i taking entry i mod count; empty: the system picks.</summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>Bind TFTP and HTTP to the address the node was leased (a local server on loopback or in a namespace that routes it).</summary>
    public bool BindLeasedAddress { get; init; }

    /// <summary>An HTTP read or connect that makes no progress this long fails (iPXE's <c>--timeout</c>).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The script's size bound; kernels and initrds are counted, never kept.</summary>
    public int MaxScriptBytes { get; init; } = 64 * 1024;

    /// <summary>Used instead of the script's kernel line when set (an absolute http:// URL).</summary>
    public Uri? KernelUrl { get; init; }

    /// <summary>Used instead of the script's initrd line when set (an absolute http:// URL).</summary>
    public Uri? InitrdUrl { get; init; }

    /// <summary>Seeds xids and UUIDs, so a storm can be repeated exactly.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Keep every node's result in the report (off for the largest storms when only the summary matters).</summary>
    public bool KeepNodeResults { get; init; } = true;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(DhcpServer);
        ArgumentNullException.ThrowIfNull(DhcpReplyEndPoint);
        ArgumentNullException.ThrowIfNull(SourceAddresses);
        if (Nodes is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Nodes), Nodes, "a storm has 1 to 1,000,000 nodes");
        }

        if (Concurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Concurrency), Concurrency, "at least one node boots at a time");
        }

        if (Ripple < TimeSpan.Zero || Deadline <= TimeSpan.Zero || HttpTimeout <= TimeSpan.Zero || MaxScriptBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Deadline), "Ripple cannot be negative; Deadline, HttpTimeout and MaxScriptBytes must be positive");
        }

        if (FirstMac + (ulong)Nodes > 0xFFFF_FFFF_FFFFUL)
        {
            throw new ArgumentOutOfRangeException(nameof(FirstMac), "the MACs of the storm run past ff:ff:ff:ff:ff:ff");
        }

        foreach (var url in new[] { KernelUrl, InitrdUrl })
        {
            if (url is not null && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"{url} is not an absolute http:// URL", nameof(KernelUrl));
            }
        }

        FirmwareRetransmits.Validate();
        IpxeRetransmits.Validate();
        Tftp.Validate();
    }
}
