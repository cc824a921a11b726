using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Storage;

/// <summary>
/// What the fleet knows of one node, as seen by any server sharing the store: one row of <c>nf_node</c>, merged
/// from every server's <see cref="NodeSighting"/>s. Read by <c>nodefoundry nodes</c> and Get-NfNodeInventory.
/// </summary>
public sealed record InventoryNode
{
    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>The client machine UUID (DHCP option 97), once some server has seen one.</summary>
    public Guid? Uuid { get; init; }

    /// <summary>The firmware's client architecture (DHCP option 93) last reported.</summary>
    public ushort? Architecture { get; init; }

    /// <summary>The host name last seen.</summary>
    public string? HostName { get; init; }

    /// <summary>The address of the latest sighting that had one.</summary>
    public IPAddress? LastIPAddress { get; init; }

    /// <summary>The server of the latest sighting.</summary>
    public required string LastServer { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>The latest phone-home (install finished), or null when it never phoned home.</summary>
    public DateTimeOffset? InstalledAt { get; init; }
}
