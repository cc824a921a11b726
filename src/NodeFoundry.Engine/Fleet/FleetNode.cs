using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Fleet;

/// <summary>One bare-metal server (fleet file: an entry of <c>nodes</c>).</summary>
public sealed class FleetNode
{
    private readonly string? _hostName;

    /// <summary>Unique node name (case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>MAC address of the boot NIC; unique in the fleet.</summary>
    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>SMBIOS system UUID (as <c>dmidecode -s system-uuid</c> prints it), matched against DHCP option 97.</summary>
    public Guid? Uuid { get; init; }

    /// <summary>Host name given to the node (DHCP option 12, answer files); defaults to <see cref="Name"/>.</summary>
    public string HostName
    {
        get => _hostName ?? Name;
        init => _hostName = value;
    }

    /// <summary>Reserved IPv4 address, or null for an address from the scope's ranges.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Name of the <see cref="BootProfile"/> to install, or null.</summary>
    public string? Profile { get; init; }

    /// <summary>The node's BMC, for power control; null when it has none.</summary>
    public BmcSettings? Bmc { get; init; }

    /// <summary>Per-node boot exceptions, or null.</summary>
    public NodeBootOverride? Boot { get; init; }

    /// <summary>Full path of the fleet file this node was read from; null when parsed from text. Lets cmdlets find the fleet again from a piped node.</summary>
    public string? SourcePath { get; init; }

    /// <summary>1-based line of the node's entry in the fleet file (0 when built in code), for messages.</summary>
    public int Line { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
