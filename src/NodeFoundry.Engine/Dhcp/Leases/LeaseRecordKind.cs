namespace NodeFoundry.Dhcp.Leases;

/// <summary>What one lease journal record says happened. The byte value is the on-disk encoding.</summary>
public enum LeaseRecordKind : byte
{
    /// <summary>An ACK granted (or renewed) the address to the client until <see cref="LeaseRecord.ExpiresAt"/>.</summary>
    Bound = 1,

    /// <summary>The client released the address (DHCPRELEASE); <see cref="LeaseRecord.ExpiresAt"/> is the release time.</summary>
    Released = 2,

    /// <summary>The client declined the address; it is quarantined until <see cref="LeaseRecord.ExpiresAt"/>.</summary>
    Declined = 3,
}
