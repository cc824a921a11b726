using System.Net;
using NodeFoundry.Net;

namespace NodeFoundry.Fleet;

/// <summary>One IPv4 subnet the DHCP server answers for (fleet file: an entry of <c>dhcp.scopes</c>).</summary>
public sealed class DhcpScope
{
    private readonly IPNetwork _subnet;

    /// <summary>Name used in logs and lease records; defaults to the subnet text (for example <c>192.0.2.0/24</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The IPv4 subnet, for example 192.0.2.0/24. <see cref="SubnetMask"/> and <see cref="BroadcastAddress"/> derive from it.</summary>
    public required IPNetwork Subnet
    {
        get => _subnet;
        init
        {
            if (value.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"The scope subnet '{value}' is not IPv4.", nameof(value));
            }

            _subnet = value;
            SubnetMask = Ipv4.FromUInt32(Ipv4.Mask(value.PrefixLength));
            BroadcastAddress = Ipv4.Broadcast(value);
        }
    }

    /// <summary>Default gateway, DHCP option 3.</summary>
    public IPAddress? Router { get; init; }

    /// <summary>DNS servers, DHCP option 6.</summary>
    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];

    /// <summary>DNS domain name, DHCP option 15.</summary>
    public string? DomainName { get; init; }

    /// <summary>Normal (long-lived) dynamic range; null when the scope only serves reservations or PXE clients.</summary>
    public AddressRange? Range { get; init; }

    /// <summary>Lease time for the normal range and reservations, DHCP option 51.</summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Range for network-booting clients without a reservation; they get short bootstrap leases.</summary>
    public AddressRange? PxeRange { get; init; }

    /// <summary>Lease time for addresses from <see cref="PxeRange"/>, DHCP option 51.</summary>
    public TimeSpan PxeLeaseTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Relay agent addresses (giaddr values) whose requests this scope serves; empty = none listed.</summary>
    public IReadOnlyList<IPAddress> RelayAgents { get; init; } = [];

    /// <summary>Subnet mask derived from <see cref="Subnet"/>, DHCP option 1.</summary>
    public IPAddress SubnetMask { get; private init; } = IPAddress.Any;

    /// <summary>Broadcast address derived from <see cref="Subnet"/>, DHCP option 28.</summary>
    public IPAddress BroadcastAddress { get; private init; } = IPAddress.Broadcast;

    /// <summary>True when <paramref name="address"/> lies in <see cref="Range"/> or <see cref="PxeRange"/>.</summary>
    public bool IsInDynamicRange(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return (Range?.Contains(address) ?? false) || (PxeRange?.Contains(address) ?? false);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
