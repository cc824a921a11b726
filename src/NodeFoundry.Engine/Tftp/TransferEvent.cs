using System.Net;
using NodeFoundry.Events;

namespace NodeFoundry.Tftp;

/// <summary>What happened to one TFTP transfer.</summary>
public enum TransferEventKind
{
    /// <summary>Admitted to the queue behind the active transfers; it will start within the queue wait.</summary>
    Queued,

    /// <summary>The first OACK or DATA went out.</summary>
    Started,

    /// <summary>Every block was acknowledged (or all were sent and only the final ACK went missing; see Reason).</summary>
    Completed,

    /// <summary>Retries ran out, or the file could not be read: the client did not get the file from us.</summary>
    Failed,

    /// <summary>The client ended it with an ERROR (OVMF does this after its tsize probe), or replaced it with a new request.</summary>
    Aborted,

    /// <summary>Not served: bad name, outside the root, missing, a write request, or the queue was full.</summary>
    Refused,
}

/// <summary>
/// One TFTP transfer's record, streamed to Receive-Job and the service log. MacAddress is null (TFTP
/// never sees one); IPAddress is the client's, which the boot timeline joins with DHCP's lease.
/// </summary>
public sealed record TransferEvent : BootEvent
{
    public override string Source => "tftp";

    public required TransferEventKind Kind { get; init; }

    /// <summary>The client's address and port (its transfer id).</summary>
    public required IPEndPoint Client { get; init; }

    /// <summary>The name as requested.</summary>
    public string? FileName { get; init; }

    /// <summary>Payload bytes acknowledged by the client so far.</summary>
    public long BytesTransferred { get; init; }

    /// <summary>The file's size, when it was opened.</summary>
    public long? FileSize { get; init; }

    public int BlockSize { get; init; }

    public int WindowSize { get; init; }

    /// <summary>From the request's arrival to this event.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Retransmissions: timer expiries, repeated requests answered again and fast retransmits (one per event).</summary>
    public int Retransmits { get; init; }

    /// <summary>DATA blocks sent more than once (every copy after the first).</summary>
    public long ResentBlocks { get; init; }

    public string? Reason { get; init; }
}
