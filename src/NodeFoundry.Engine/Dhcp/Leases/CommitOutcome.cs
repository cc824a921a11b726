namespace NodeFoundry.Dhcp.Leases;

/// <summary>Result of <see cref="LeaseTable.Commit"/>.</summary>
public enum CommitOutcome
{
    /// <summary>The lease was granted (journaled, not yet flushed).</summary>
    Granted,

    /// <summary>Another client holds, was offered, or has a reservation for the address.</summary>
    AddressInUse,

    /// <summary>The address is outside the pool (or, without a pool, not reserved for this client).</summary>
    NotInPool,

    /// <summary>The address was declined recently and is quarantined.</summary>
    Quarantined,
}
