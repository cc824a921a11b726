using NodeFoundry.Net;

namespace NodeFoundry.Tftp;

/// <summary>
/// Counters and gauges of one TFTP server, safe to read from any thread while the transfer loop writes. Also the TFTP
/// engine's <see cref="IEgressMeter"/>: what it sends is taken out of the HTTP pacer's link budget.
/// </summary>
public sealed class TftpServerCounters : IEgressMeter
{
    private long _received;
    private long _malformed;
    private long _requests;
    private long _resentRequests;
    private long _refused;
    private long _queued;
    private long _started;
    private long _completed;
    private long _failed;
    private long _aborted;
    private long _queueFullDrops;
    private long _overcommitted;
    private long _retransmits;
    private long _resentBlocks;
    private long _duplicateAcks;
    private long _unknownTransferIds;
    private long _sendErrors;
    private long _inboundDrops;
    private long _handlerFaults;
    private long _datagramsSent;
    private long _bytesSent;
    private long _active;
    private long _queuedNow;
    private long _loopNice;
    private long _loopPriorityRefused;

    public long Received => Interlocked.Read(ref _received);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Read and write requests that were not re-sends of one already known.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests re-sent by a client whose transfer (or queue entry) already existed; mapped to it.</summary>
    public long ResentRequests => Interlocked.Read(ref _resentRequests);

    public long Refused => Interlocked.Read(ref _refused);

    public long Queued => Interlocked.Read(ref _queued);

    public long Started => Interlocked.Read(ref _started);

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Requests dropped unanswered because the queue was full (the client retransmits them).</summary>
    public long QueueFullDrops => Interlocked.Read(ref _queueFullDrops);

    /// <summary>Queued requests started above the active cap because they had waited the longest a ROM tolerates.</summary>
    public long Overcommitted => Interlocked.Read(ref _overcommitted);

    /// <summary>Retransmissions: timer expiries, repeated requests answered again, fast retransmits (one per event).</summary>
    public long Retransmits => Interlocked.Read(ref _retransmits);

    /// <summary>DATA blocks sent again (every copy after a block's first): the server's duplicate overhead.</summary>
    public long ResentBlocks => Interlocked.Read(ref _resentBlocks);

    /// <summary>ACKs that acknowledged nothing new; ignored, never answered (Sorcerer's Apprentice).</summary>
    public long DuplicateAcks => Interlocked.Read(ref _duplicateAcks);

    public long UnknownTransferIds => Interlocked.Read(ref _unknownTransferIds);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Datagrams dropped because the loop's inbound buffer was full (a flood); clients retransmit.</summary>
    public long InboundDrops => Interlocked.Read(ref _inboundDrops);

    /// <summary>Packets that hit an internal error (a bug); each was dropped and reported, the server kept going.</summary>
    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>Transfers running now.</summary>
    public long ActiveTransfers => Interlocked.Read(ref _active);

    /// <summary>Requests waiting in the queue now.</summary>
    public long QueuedTransfers => Interlocked.Read(ref _queuedNow);

    /// <summary>The nice value the transfer loop thread runs at (0: the default, or raising it was not possible).</summary>
    public long LoopNice => Interlocked.Read(ref _loopNice);

    /// <summary>1 when a LoopNice was asked for and not applied (no privilege, not Linux, an error); see TftpServer.LoopPriority.</summary>
    public long LoopPriorityRefused => Interlocked.Read(ref _loopPriorityRefused);

    internal void SetLoopPriority(TftpLoopPriority priority)
    {
        Interlocked.Exchange(ref _loopNice, priority.Nice);
        Interlocked.Exchange(ref _loopPriorityRefused, priority.Outcome is TftpLoopPriorityOutcome.Raised or TftpLoopPriorityOutcome.NotRequested ? 0 : 1);
    }

    internal void CountReceived() => Interlocked.Increment(ref _received);

    internal void CountMalformed() => Interlocked.Increment(ref _malformed);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountResentRequest() => Interlocked.Increment(ref _resentRequests);

    internal void CountQueueFullDrop() => Interlocked.Increment(ref _queueFullDrops);

    internal void CountOvercommitted() => Interlocked.Increment(ref _overcommitted);

    internal void CountRetransmit() => Interlocked.Increment(ref _retransmits);

    internal void CountResentBlocks(long blocks)
    {
        if (blocks > 0)
        {
            Interlocked.Add(ref _resentBlocks, blocks);
        }
    }

    internal void CountDuplicateAck() => Interlocked.Increment(ref _duplicateAcks);

    internal void CountUnknownTransferId() => Interlocked.Increment(ref _unknownTransferIds);

    /// <summary>Datagrams handed to the network (DATA, OACK, ERROR; a window sent in one call counts each datagram).</summary>
    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    /// <summary>UDP payload bytes of <see cref="DatagramsSent"/>.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <inheritdoc/>
    public long WireBytesSent => BytesSent + (DatagramsSent * WireOverhead.UdpIpv4);

    internal void CountSent(int datagrams, long bytes)
    {
        Interlocked.Add(ref _datagramsSent, datagrams);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void CountSendError() => Interlocked.Increment(ref _sendErrors);

    internal void CountInboundDrop() => Interlocked.Increment(ref _inboundDrops);

    internal void CountHandlerFault() => Interlocked.Increment(ref _handlerFaults);

    internal void SetGauges(int active, int queued)
    {
        Interlocked.Exchange(ref _active, active);
        Interlocked.Exchange(ref _queuedNow, queued);
    }

    internal void Count(TransferEventKind kind)
    {
        switch (kind)
        {
            case TransferEventKind.Queued: Interlocked.Increment(ref _queued); break;
            case TransferEventKind.Started: Interlocked.Increment(ref _started); break;
            case TransferEventKind.Completed: Interlocked.Increment(ref _completed); break;
            case TransferEventKind.Failed: Interlocked.Increment(ref _failed); break;
            case TransferEventKind.Aborted: Interlocked.Increment(ref _aborted); break;
            default: Interlocked.Increment(ref _refused); break;
        }
    }
}
