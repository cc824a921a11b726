using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>One durable lease event, as appended to the journal and replayed at start.</summary>
public readonly record struct LeaseRecord(
    LeaseRecordKind Kind,
    PhysicalAddress MacAddress,
    IPAddress Address,
    DateTimeOffset GrantedAt,
    DateTimeOffset ExpiresAt,
    string Pool,
    string? HostName)
{
    /// <summary>The record that states <paramref name="lease"/> (Bound → Bound, Released → Released, Declined → Declined).</summary>
    public static LeaseRecord From(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        LeaseRecordKind kind = lease.State switch
        {
            LeaseState.Bound => LeaseRecordKind.Bound,
            LeaseState.Released => LeaseRecordKind.Released,
            LeaseState.Declined => LeaseRecordKind.Declined,
            _ => throw new ArgumentOutOfRangeException(nameof(lease), lease.State, "Unknown lease state."),
        };
        return new LeaseRecord(kind, lease.MacAddress, lease.Address, lease.GrantedAt, lease.ExpiresAt, lease.Pool, lease.HostName);
    }

    /// <summary>The lease this record describes.</summary>
    public Lease ToLease()
    {
        LeaseState state = Kind switch
        {
            LeaseRecordKind.Bound => LeaseState.Bound,
            LeaseRecordKind.Released => LeaseState.Released,
            LeaseRecordKind.Declined => LeaseState.Declined,
            _ => throw new InvalidOperationException($"Unknown lease record kind {(byte)Kind}."),
        };
        return new Lease(MacAddress, Address, GrantedAt, ExpiresAt, Pool, HostName, state);
    }
}
