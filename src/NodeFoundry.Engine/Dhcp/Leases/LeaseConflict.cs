namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// A record a shared store refused: another client's unexpired lease (or quarantine) holds the address, written by
/// another server first. <see cref="Holder"/> is that lease when the store could read it.
/// </summary>
public readonly record struct LeaseConflict(LeaseRecord Refused, LeaseRecord? Holder);
