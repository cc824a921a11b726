namespace NodeFoundry.Dhcp;

/// <summary>Where a client's address comes from, as the policy decides it.</summary>
public enum AddressSource
{
    /// <summary>Do not answer with an address (policy says ignore this client).</summary>
    None,

    /// <summary>The node's reserved address from the fleet file.</summary>
    Reservation,

    /// <summary>The dedicated PXE range with short bootstrap leases.</summary>
    PxeRange,

    /// <summary>The normal, long-lived range.</summary>
    NormalRange,
}
