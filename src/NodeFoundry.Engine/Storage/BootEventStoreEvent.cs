using NodeFoundry.Events;

namespace NodeFoundry.Storage;

/// <summary>What happened to the shared boot-event store, as a <see cref="BootEventRecorder"/> reports it.</summary>
public enum BootEventStoreEventKind
{
    /// <summary>The store cannot be reached: events wait in the bounded backlog; serving goes on.</summary>
    Unavailable,

    /// <summary>The store is reachable again and the backlog has been written.</summary>
    Recovered,

    /// <summary>The backlog reached its bound: the oldest events waiting were let go (<see cref="BootEventStoreEvent.Dropped"/>).</summary>
    Overflowed,
}

/// <summary>
/// A change in the boot-event store's reachability, or a backlog that overflowed, streamed with the engines' events
/// (the job's output, <c>serve</c>'s log) once per change, never per event.
/// </summary>
public sealed record BootEventStoreEvent : BootEvent
{
    public override string Source => "events";

    public required BootEventStoreEventKind Kind { get; init; }

    /// <summary>The store (host, port, database; never a password), or what is being opened.</summary>
    public required string Store { get; init; }

    /// <summary>The database's or the network's error, for <see cref="BootEventStoreEventKind.Unavailable"/>.</summary>
    public string? Reason { get; init; }

    /// <summary>Events waiting to be written when this was reported.</summary>
    public int Backlog { get; init; }

    /// <summary>Events let go since the recorder started because the backlog was full.</summary>
    public long Dropped { get; init; }
}
