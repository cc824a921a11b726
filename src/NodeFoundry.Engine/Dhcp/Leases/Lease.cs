using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>One address bound (or once bound) to one client, as the lease table and journal hold it.</summary>
public sealed record Lease(
    PhysicalAddress MacAddress,
    IPAddress Address,
    DateTimeOffset GrantedAt,
    DateTimeOffset ExpiresAt,
    string Pool,
    string? HostName,
    LeaseState State)
{
    public bool IsActiveAt(DateTimeOffset now) => State == LeaseState.Bound && ExpiresAt > now;
}

/// <summary>Lifecycle of a lease record.</summary>
public enum LeaseState
{
    /// <summary>Granted by an ACK and not yet released or expired.</summary>
    Bound,

    /// <summary>The client released it (DHCPRELEASE).</summary>
    Released,

    /// <summary>The client declined it (DHCPDECLINE: address in use on the wire); quarantined for a while.</summary>
    Declined,
}
