using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tftp;

/// <summary>
/// Every transfer of one server, and the admission policy in front of them. Single-threaded by design:
/// the server's one loop calls it with parsed input and the current time; it answers through the
/// transport and reports through the event sink. No sockets and no clock of its own, so tests drive it
/// packet by packet and millisecond by millisecond.
/// <para>
/// Admission. At most <see cref="TftpServerOptions.MaxActiveTransfers"/> run; later requests wait in a
/// FIFO queue (bounded by <see cref="TftpServerOptions.MaxQueuedTransfers"/>) and start as slots free.
/// A ROM gives up after ~4 s of silence and tolerates nothing else (an ERROR is fatal, "busy" does not
/// exist in TFTP), so a queued request that has waited <see cref="TftpServerOptions.MaxQueueWait"/>
/// (2 s) starts even above the cap: the cap shapes a storm, it never sacrifices a node. FIFO order plus
/// that deadline means no request starves. With the queue full, a request is dropped unanswered, which
/// a ROM survives (it re-sends the RRQ) where an ERROR would end its boot. Packets of running transfers
/// are handled before new requests (the server orders each batch), so a storm of RRQs cannot stall
/// transfers in flight, and a slow or dead client holds its slot only until its retries run out.
/// </para>
/// <para>
/// OVMF asks for tsize, gets the OACK, sends an ERROR and asks again. The ERROR frees the transfer at
/// once, and the client's address keeps that slot for <see cref="TftpServerOptions.ProbeReservation"/>,
/// so its real download starts immediately instead of queueing behind the storm it was already part of.
/// </para>
/// </summary>
internal sealed class TftpTransferManager : IDisposable
{
    private readonly TftpServerOptions _options;
    private readonly TftpFileStore _files;
    private readonly ITftpTransport _transport;
    private readonly IBootEventSink _events;
    private readonly TftpServerCounters _counters;
    private readonly Dictionary<IPEndPoint, TftpTransfer> _byClient = [];
    private readonly Dictionary<long, TftpTransfer> _byChannel = [];
    private readonly LinkedList<Pending> _queue = new();
    private readonly Dictionary<IPEndPoint, LinkedListNode<Pending>> _queuedByClient = [];
    private readonly Dictionary<IPAddress, TimeSpan> _reservations = [];
    private readonly List<TftpTransfer> _finished = [];
    private readonly byte[] _buffer = new byte[TftpPacket.MaxLength];
    private TimeSpan _nextDeadline = TimeSpan.MaxValue;
    private TimeSpan _lastNow;

    public TftpTransferManager(TftpServerOptions options, TftpFileStore files, ITftpTransport transport, IBootEventSink events, TftpServerCounters counters)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _files = files ?? throw new ArgumentNullException(nameof(files));
        ArgumentNullException.ThrowIfNull(transport);
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _counters = counters ?? throw new ArgumentNullException(nameof(counters));
        _transport = new MeteredTftpTransport(transport, counters); // what TFTP sends comes out of HTTP's link budget
    }

    public int ActiveCount => _byClient.Count;

    public int QueuedCount => _queue.Count;

    /// <summary>Slots held for clients that just finished a tsize probe.</summary>
    public int ReservedCount => _reservations.Count;

    /// <summary>The earliest time <see cref="Tick"/> has work (a retransmission, a queue deadline); MaxValue when idle.</summary>
    public TimeSpan NextDeadline => _nextDeadline;

    /// <summary>True when <paramref name="client"/> has a running transfer (lets the server handle its packets first).</summary>
    public bool IsTransferPeer(IPEndPoint client) => _byClient.ContainsKey(client);

    internal TftpTransfer? Find(IPEndPoint client) => _byClient.GetValueOrDefault(client);

    /// <summary>A datagram that arrived on the request port (69). In single-port mode transfer ACKs arrive here too.</summary>
    public void OnRequestPortPacket(IPEndPoint from, IPAddress? localAddress, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(from);
        _lastNow = now;
        _counters.CountReceived();
        if (!TftpPacket.TryParse(datagram, out var packet, out _))
        {
            _counters.CountMalformed();
            return;
        }

        if (packet is TftpRequest request)
        {
            OnRequest(from, localAddress, request, now);
        }
        else if (_byClient.TryGetValue(from, out var transfer) && (transfer.Channel.Id == 0 || packet is TftpErrorPacket))
        {
            // Single-port mode, or an ERROR that went to port 69 instead of the transfer's port: either way it
            // is this client's word about its transfer.
            OnTransferPacket(transfer, packet, now);
        }
        else if (packet is TftpErrorPacket && _queuedByClient.Remove(from, out var node))
        {
            _queue.Remove(node);
            node.Value.Content.Dispose();
            Publish(TransferEventKind.Aborted, node.Value, now, "client sent ERROR while queued");
        }
        else
        {
            // A stray ACK or DATA for nothing we know. Not answered: answering strays on port 69 would make
            // the server a reflector.
            _counters.CountUnknownTransferId();
        }

        UpdateGauges();
    }

    /// <summary>A datagram that arrived on one transfer's own port.</summary>
    public void OnTransferPortPacket(long channelId, IPEndPoint from, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(from);
        _lastNow = now;
        _counters.CountReceived();
        if (!_byChannel.TryGetValue(channelId, out var transfer))
        {
            return;
        }

        if (!transfer.Client.Equals(from))
        {
            // RFC 1350 §4: a packet from the wrong TID gets ERROR 5 and leaves the transfer alone.
            _counters.CountUnknownTransferId();
            var error = new TftpErrorPacket(TftpErrorCode.UnknownTransferId, "unknown transfer ID");
            Send(transfer.Channel, from, error);
            return;
        }

        if (!TftpPacket.TryParse(datagram, out var packet, out _))
        {
            _counters.CountMalformed();
            return;
        }

        OnTransferPacket(transfer, packet, now);
        UpdateGauges();
    }

    /// <summary>Runs due retransmissions, failures and admissions. Returns <see cref="NextDeadline"/>.</summary>
    public TimeSpan Tick(TimeSpan now)
    {
        _lastNow = now;
        if (now >= _nextDeadline)
        {
            _nextDeadline = TimeSpan.MaxValue;
            foreach (var transfer in _byClient.Values)
            {
                if (now >= transfer.Deadline)
                {
                    var before = transfer.Retransmits;
                    var resentBefore = transfer.ResentBlocks;
                    var running = transfer.OnTimeout(now, _buffer);
                    _counters.CountResentBlocks(transfer.ResentBlocks - resentBefore);
                    if (!running)
                    {
                        _finished.Add(transfer);
                        continue;
                    }

                    for (var i = before; i < transfer.Retransmits; i++)
                    {
                        _counters.CountRetransmit();
                    }
                }

                Later(transfer.Deadline);
            }

            foreach (var transfer in _finished)
            {
                Finish(transfer, now);
            }

            _finished.Clear();
        }

        ExpireReservations(now);
        Admit(now);
        UpdateGauges();
        return _nextDeadline;
    }

    /// <summary>Ends everything (server stopping): running clients get an ERROR so they fail fast.</summary>
    public void Shutdown(TimeSpan now)
    {
        foreach (var transfer in _byClient.Values.ToList())
        {
            transfer.Fail("server shutting down", _buffer);
            Finish(transfer, now);
        }

        foreach (var pending in _queue)
        {
            pending.Content.Dispose();
            Publish(TransferEventKind.Failed, pending, now, "server shutting down");
        }

        _queue.Clear();
        _queuedByClient.Clear();
        UpdateGauges();
    }

    public void Dispose() => Shutdown(_lastNow);

    private void OnRequest(IPEndPoint from, IPAddress? localAddress, TftpRequest request, TimeSpan now)
    {
        var inheritsSlot = false;
        if (_byClient.TryGetValue(from, out var existing))
        {
            if (existing.Request.Equals(request))
            {
                // The client re-sent its request: it missed our first answer. Same transfer, never a second one.
                _counters.CountResentRequest();
                var resentBefore = existing.ResentBlocks;
                if (existing.OnRepeatedRequest(now, _buffer))
                {
                    _counters.CountRetransmit();
                    _counters.CountResentBlocks(existing.ResentBlocks - resentBefore);
                    Later(existing.Deadline);
                }

                return;
            }

            // Same address and port, different request: the client restarted (or an OVMF probe whose ERROR was
            // lost). The old transfer is dead, and the new request takes over its slot rather than queueing.
            existing.Abort("replaced by a new request from the same client port");
            Finish(existing, now);
            inheritsSlot = true;
        }

        if (_queuedByClient.TryGetValue(from, out var node))
        {
            if (node.Value.Request.Equals(request))
            {
                _counters.CountResentRequest();
                return;
            }

            _queuedByClient.Remove(from);
            _queue.Remove(node);
            node.Value.Content.Dispose();
            Publish(TransferEventKind.Aborted, node.Value, now, "replaced by a new request from the same client port");
        }

        _counters.CountRequest();
        if (request.IsWrite)
        {
            Refuse(from, request, TftpErrorCode.AccessViolation, "read-only server: write requests are refused", now);
            return;
        }

        if (request.Mode == TftpTransferMode.Mail)
        {
            // RFC 1350's mail mode delivers to a user's mailbox: a write by another name, and obsolete.
            Refuse(from, request, TftpErrorCode.IllegalOperation, "mail mode is not supported", now);
            return;
        }

        var content = _files.Open(request.FileName, out var refusal, out var detail);
        if (content is null)
        {
            var code = refusal == TftpPathRefusal.NotFound ? TftpErrorCode.FileNotFound : TftpErrorCode.AccessViolation;
            var message = refusal == TftpPathRefusal.NotFound ? "file not found" : $"access violation ({refusal})";
            Refuse(from, request, code, message, now, detail is null ? refusal.ToString() : $"{refusal}: {detail}");
            return;
        }

        var pending = new Pending(from, localAddress, request, content, now);
        if (inheritsSlot || TryConsumeReservation(from.Address, now) || (_queue.Count == 0 && _byClient.Count < Capacity()))
        {
            Start(pending, now);
            return;
        }

        if (_queue.Count >= _options.MaxQueuedTransfers)
        {
            content.Dispose();
            _counters.CountQueueFullDrop();
            Publish(TransferEventKind.Refused, pending, now, "queue full: dropped unanswered so the client retransmits");
            return;
        }

        _queuedByClient[from] = _queue.AddLast(pending);
        Publish(TransferEventKind.Queued, pending, now, null);
        Later(now + _options.MaxQueueWait);
    }

    private void OnTransferPacket(TftpTransfer transfer, TftpPacket packet, TimeSpan now)
    {
        switch (packet)
        {
            case TftpAckPacket ack:
                var resentBefore = transfer.ResentBlocks;
                var outcome = transfer.OnAck(ack.Block, now, _buffer);
                if (outcome == TftpAckOutcome.Duplicate)
                {
                    _counters.CountDuplicateAck();
                }
                else if (outcome == TftpAckOutcome.Retransmitted)
                {
                    _counters.CountRetransmit();
                }

                _counters.CountResentBlocks(transfer.ResentBlocks - resentBefore);

                if (transfer.IsFinished)
                {
                    Finish(transfer, now);
                    Admit(now);
                }
                else
                {
                    Later(transfer.Deadline);
                }

                break;

            case TftpErrorPacket error:
                var wasProbe = transfer.State == TftpTransferState.AwaitingOptionAck && transfer.Request.Requested.TransferSize is not null;
                transfer.Abort($"client sent ERROR {(int)error.Code}: {error.Message}");
                Finish(transfer, now);
                if (wasProbe && _reservations.Count < _options.MaxActiveTransfers)
                {
                    // OVMF's size probe: its download request follows at once and keeps this slot.
                    _reservations[transfer.Client.Address] = now + _options.ProbeReservation;
                    Later(now + _options.ProbeReservation);
                }

                Admit(now);
                break;

            default:
                // DATA, OACK or a request on a read transfer's port: not something a reader sends. Ignored.
                _counters.CountMalformed();
                break;
        }
    }

    private void Admit(TimeSpan now)
    {
        while (_queue.First is { } head && _byClient.Count < Capacity())
        {
            Dequeue(head);
            Start(head.Value, now);
        }

        while (_queue.First is { } head && now - head.Value.RequestedAt >= _options.MaxQueueWait)
        {
            // Waited as long as a ROM safely can: start it above the cap rather than let the ROM give up.
            Dequeue(head);
            _counters.CountOvercommitted();
            Start(head.Value, now);
        }

        if (_queue.First is { } next)
        {
            Later(next.Value.RequestedAt + _options.MaxQueueWait);
        }
    }

    private void Dequeue(LinkedListNode<Pending> node)
    {
        _queue.Remove(node);
        _queuedByClient.Remove(node.Value.Client);
    }

    private int Capacity() => Math.Max(0, _options.MaxActiveTransfers - _reservations.Count);

    private bool TryConsumeReservation(IPAddress address, TimeSpan now) =>
        _reservations.TryGetValue(address, out var until) && _reservations.Remove(address) && now < until;

    private void ExpireReservations(TimeSpan now)
    {
        if (_reservations.Count == 0)
        {
            return;
        }

        foreach (var (address, until) in _reservations.ToList())
        {
            if (now >= until)
            {
                _reservations.Remove(address);
            }
            else
            {
                Later(until);
            }
        }
    }

    private void Start(Pending pending, TimeSpan now)
    {
        ITftpChannel channel;
        try
        {
            channel = _transport.Open(pending.Client, pending.LocalAddress);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Net.Sockets.SocketException or PlatformNotSupportedException)
        {
            // Out of ports or descriptors: the client will retransmit; nothing else we can do for it now.
            pending.Content.Dispose();
            Publish(TransferEventKind.Failed, pending, now, $"cannot open a transfer socket: {ex.Message}");
            return;
        }

        var negotiation = TftpNegotiation.For(pending.Request, pending.Content.Length, _options);
        var transfer = new TftpTransfer(pending.Client, pending.Request, pending.Content, negotiation, channel, _options, pending.RequestedAt);
        _byClient[pending.Client] = transfer;
        if (channel.Id != 0)
        {
            _byChannel[channel.Id] = transfer;
        }

        transfer.Start(now, _buffer);
        Publish(TransferEventKind.Started, transfer, now);
        if (transfer.IsFinished)
        {
            Finish(transfer, now);
        }
        else
        {
            Later(transfer.Deadline);
        }
    }

    private void Finish(TftpTransfer transfer, TimeSpan now)
    {
        if (_byClient.TryGetValue(transfer.Client, out var current) && ReferenceEquals(current, transfer))
        {
            _byClient.Remove(transfer.Client);
        }

        if (transfer.Channel.Id != 0)
        {
            _byChannel.Remove(transfer.Channel.Id);
        }

        transfer.Channel.Dispose();
        transfer.Dispose();
        var kind = transfer.State switch
        {
            TftpTransferState.Completed => TransferEventKind.Completed,
            TftpTransferState.Aborted => TransferEventKind.Aborted,
            _ => TransferEventKind.Failed,
        };
        Publish(kind, transfer, now);
    }

    private void Refuse(IPEndPoint from, TftpRequest request, TftpErrorCode code, string message, TimeSpan now, string? reason = null)
    {
        Send(_transport.RequestChannel, from, new TftpErrorPacket(code, message));
        Publish(new TransferEvent
        {
            Kind = TransferEventKind.Refused,
            Client = from,
            IPAddress = from.Address,
            FileName = request.FileName,
            Reason = reason ?? message,
        });
    }

    private void Send(ITftpChannel channel, IPEndPoint to, TftpPacket packet)
    {
        if (!channel.Send(to, _buffer.AsSpan(0, packet.WriteTo(_buffer))))
        {
            _counters.CountSendError();
        }
    }

    private void Later(TimeSpan deadline)
    {
        if (deadline < _nextDeadline)
        {
            _nextDeadline = deadline;
        }
    }

    private void UpdateGauges() => _counters.SetGauges(_byClient.Count, _queue.Count);

    private void Publish(TransferEventKind kind, TftpTransfer transfer, TimeSpan now) => Publish(new TransferEvent
    {
        Kind = kind,
        Client = transfer.Client,
        IPAddress = transfer.Client.Address,
        FileName = transfer.Request.FileName,
        BytesTransferred = transfer.BytesAcknowledged,
        FileSize = transfer.FileSize,
        BlockSize = transfer.Negotiation.BlockSize,
        WindowSize = transfer.Negotiation.WindowSize,
        Duration = now - transfer.RequestedAt,
        Retransmits = transfer.Retransmits,
        ResentBlocks = transfer.ResentBlocks,
        Reason = kind == TransferEventKind.Started ? null : transfer.Reason,
    });

    private void Publish(TransferEventKind kind, Pending pending, TimeSpan now, string? reason) => Publish(new TransferEvent
    {
        Kind = kind,
        Client = pending.Client,
        IPAddress = pending.Client.Address,
        FileName = pending.Request.FileName,
        FileSize = pending.Content.Length,
        Duration = now - pending.RequestedAt,
        Reason = reason,
    });

    private void Publish(TransferEvent transferEvent)
    {
        _counters.Count(transferEvent.Kind);
        _events.Publish(transferEvent);
    }

    private sealed record Pending(IPEndPoint Client, IPAddress? LocalAddress, TftpRequest Request, TftpFileContent Content, TimeSpan RequestedAt);
}
