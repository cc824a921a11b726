using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Storage;

/// <summary>
/// What one server learned about a node from one event, for the fleet inventory (<see cref="InventoryNode"/>): the
/// store merges sightings of every server into one row per MAC. Null fields say nothing (they never erase what
/// another sighting recorded).
/// </summary>
public sealed record NodeSighting
{
    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>The first time these sightings saw the node (equal to <see cref="LastSeen"/> for a single event).</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>The last time these sightings saw the node: the other fields are as of then.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Which server saw it (last).</summary>
    public required string Server { get; init; }

    /// <summary>The client machine UUID of DHCP option 97 (or the one iPXE's discovery script reported).</summary>
    public Guid? Uuid { get; init; }

    /// <summary>The firmware's client architecture, DHCP option 93 (0 BIOS, 7/9 EFI x64, 16 UEFI HTTP Boot …).</summary>
    public ushort? Architecture { get; init; }

    /// <summary>The address the node was given or called from.</summary>
    public IPAddress? IPAddress { get; init; }

    /// <summary>The host name DHCP saw or the fleet gives it.</summary>
    public string? HostName { get; init; }

    /// <summary>Set when this sighting is the installer's phone-home.</summary>
    public DateTimeOffset? InstalledAt { get; init; }

    /// <summary>
    /// Two sightings of one node as one: the earliest first and latest last time; of the other fields, the later
    /// sighting's where it has one, else the earlier's; the latest installation. Order-free, so a batch that failed can
    /// be merged back with what arrived meanwhile. The stores merge into the inventory by the same rules.
    /// </summary>
    public NodeSighting MergeWith(NodeSighting other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (earlier, later) = other.LastSeen >= LastSeen ? (this, other) : (other, this);
        return new NodeSighting
        {
            MacAddress = MacAddress,
            FirstSeen = FirstSeen <= other.FirstSeen ? FirstSeen : other.FirstSeen,
            LastSeen = later.LastSeen,
            Server = later.Server,
            Uuid = later.Uuid ?? earlier.Uuid,
            Architecture = later.Architecture ?? earlier.Architecture,
            IPAddress = later.IPAddress ?? earlier.IPAddress,
            HostName = later.HostName ?? earlier.HostName,
            InstalledAt = Latest(InstalledAt, other.InstalledAt),
        };
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a >= b ? a : b;
}
