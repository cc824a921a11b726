using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Where a DHCP server's leases live durably, behind its in-memory <see cref="LeaseTable"/>: the local journal
/// (<see cref="JournalLeaseStore"/>, one server) or a database several servers share
/// (PostgresLeaseStore (the NodeFoundry.Postgres adapter)). The table allocates and appends records; <see cref="ILeaseJournal.Flush"/>
/// makes a batch durable in one step (an fsync, a transaction) before the batch's ACKs leave.
/// </summary>
/// <remarks>
/// A shared store can refuse records another server got to first (the database arbitrates, by its constraints):
/// <see cref="TakeConflicts"/> says which, after each flush, and the server turns those ACKs into NAKs. A store one
/// server owns never refuses.
/// </remarks>
public interface ILeaseStore : ILeaseJournal
{
    /// <summary>What the store is, for logs: a path, or host/port/database (never a password).</summary>
    string Description { get; }

    /// <summary>True when other servers write to the same store (conflicts, changes and outages are possible).</summary>
    bool IsShared { get; }

    /// <summary>The records the server's lease table is rebuilt from at start.</summary>
    IReadOnlyList<LeaseRecord> Load();

    /// <summary>Records the last <see cref="ILeaseJournal.Flush"/> refused because another client holds the address; cleared by the call.</summary>
    IReadOnlyList<LeaseConflict> TakeConflicts();

    /// <summary>Leases other servers wrote since the last call (empty for a store one server owns).</summary>
    IReadOnlyList<LeaseRecord> ReadChanges();

    /// <summary>True when the store holds, committed, a Bound lease of <paramref name="mac"/> on <paramref name="address"/>.</summary>
    bool IsDurablyBound(PhysicalAddress mac, IPAddress address);

    /// <summary>The latest lease per client in the store, in address order (Get-NfLease, <c>nodefoundry leases</c>).</summary>
    IReadOnlyList<Lease> ReadLeases();
}
