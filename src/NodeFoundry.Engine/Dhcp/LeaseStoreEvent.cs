using NodeFoundry.Events;

namespace NodeFoundry.Dhcp;

/// <summary>What happened to the DHCP server's lease store.</summary>
public enum LeaseStoreEventKind
{
    /// <summary>The store cannot be reached: only renewals of leases it already holds are answered until it is back.</summary>
    Unavailable,

    /// <summary>The store is reachable again; what was kept meanwhile has been written.</summary>
    Recovered,
}

/// <summary>
/// A change in the reachability of the shared lease store (a PostgreSQL outage and its end), streamed with the lease
/// events so the job, <c>serve</c>'s log and the metrics show an outage while it lasts. Published once per change,
/// not per packet.
/// </summary>
public sealed record LeaseStoreEvent : BootEvent
{
    public override string Source => "dhcp";

    public required LeaseStoreEventKind Kind { get; init; }

    /// <summary>The store (host, port, database; never a password).</summary>
    public required string Store { get; init; }

    /// <summary>Why it is unavailable (the database's or the network's error), or null on recovery.</summary>
    public string? Reason { get; init; }
}
