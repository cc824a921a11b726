using System.Net;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tftp;

/// <summary>
/// The sending side of one read transfer (RFC 1350 with RFC 2347/2348/2349/7440): OACK, then DATA in
/// windows, each window answered by one ACK. Pure state: time comes in as an argument, packets go out
/// through an <see cref="ITftpChannel"/>, so every path is testable without sockets or clocks.
/// <para>
/// Blocks are counted as 64-bit absolute numbers internally and written as their low 16 bits, so a file
/// larger than 65535 blocks rolls the wire block number over to 0 (as tftp-hpa, curl and iPXE expect).
/// </para>
/// <para>
/// Only an ACK that acknowledges something new makes us send new blocks. A duplicate or stale ACK is
/// ignored, so a duplicated packet can never double the traffic (Sorcerer's Apprentice, RFC 1123 §4.2.3.1).
/// </para>
/// <para>
/// An ACK inside the window (a partial ACK) slides it: the blocks after it are still in flight, so only
/// blocks beyond the last one sent go out, keeping a window's worth outstanding. A partial ACK is no proof
/// of loss: a duplicated DATA block makes a client re-ACK it mid-window, and rolling back on that re-sends a
/// window that was fine, which makes more duplicates (the windowed Sorcerer's Apprentice). The window rolls
/// back (re-sent from the block after the ACK) only on evidence of loss: the same partial ACK arriving a
/// second time while blocks beyond it are outstanding (fast retransmit, once per ACK value), or the
/// retransmission timer. Lock-step (windowsize 1) never has a partial ACK and is unchanged.
/// </para>
/// </summary>
internal sealed class TftpTransfer : IDisposable
{
    /// <summary>At most this many bytes in one batch: under a UDP datagram's 64 KiB, the limit of one segmented send.</summary>
    internal const int MaxBatchBytes = 60 * 1024;

    /// <summary>At most this many datagrams in one batch (Linux's UDP_MAX_SEGMENTS is 64).</summary>
    internal const int MaxBatchDatagrams = 64;

    private readonly TftpFileContent _content;
    private readonly RetransmitTimer _timer;
    private readonly int _maxRetries;
    private readonly TimeSpan _clientTimeout;
    private readonly int _doubleResendAfter;
    private readonly long _totalBlocks;
    private long _acked;
    private long _sentUpTo;
    private long _highestSent;
    private bool _ackedWasPartial;
    private bool _rolledBack;
    private TimeSpan _sentAt;
    private bool _resentSinceSample;
    private int _retries;
    private TimeSpan _lastProgress;

    public TftpTransfer(
        IPEndPoint client, TftpRequest request, TftpFileContent content, TftpNegotiation negotiation, ITftpChannel channel, TftpServerOptions options, TimeSpan requestedAt)
    {
        Client = client;
        Request = request;
        _content = content;
        Negotiation = negotiation;
        Channel = channel;
        RequestedAt = requestedAt;
        _maxRetries = options.MaxRetries;
        _doubleResendAfter = negotiation.WindowSize == 1 ? options.DoubleResendAfterTimeouts : 0;
        _clientTimeout = ClientTimeoutOf(negotiation, options);
        var ceiling = RetransmitCeiling(_clientTimeout, options);
        var floor = options.MinRetransmitTimeout < ceiling ? options.MinRetransmitTimeout : ceiling;
        _timer = new RetransmitTimer(options.InitialRetransmitTimeout, floor, ceiling);
        _lastProgress = requestedAt;
        _totalBlocks = (content.Length / negotiation.BlockSize) + 1;
    }

    public IPEndPoint Client { get; }

    public TftpRequest Request { get; }

    public TftpNegotiation Negotiation { get; }

    public ITftpChannel Channel { get; }

    public TimeSpan RequestedAt { get; }

    public TftpTransferState State { get; private set; }

    /// <summary>When the retransmission timer fires next.</summary>
    public TimeSpan Deadline { get; private set; }

    /// <summary>Retransmissions: timer expiries, repeated requests and fast retransmits (each one event).</summary>
    public int Retransmits { get; private set; }

    /// <summary>
    /// The latest this transfer's retransmission timer was served after it fell due (the server loop's lateness):
    /// a failure with seconds of lateness is a starved loop, not a lossy path.
    /// </summary>
    public TimeSpan MaxTimerLateness { get; private set; }

    /// <summary>DATA blocks sent more than once (every copy after the first).</summary>
    public long ResentBlocks { get; private set; }

    public long FileSize => _content.Length;

    /// <summary>Payload bytes the client has acknowledged.</summary>
    public long BytesAcknowledged => Math.Min(_acked * Negotiation.BlockSize, _content.Length);

    /// <summary>Why it failed or how it ended, when there is something to say.</summary>
    public string? Reason { get; private set; }

    public bool IsFinished => State is TftpTransferState.Completed or TftpTransferState.Failed or TftpTransferState.Aborted;

    internal RetransmitTimer Timer => _timer;

    /// <summary>How long this client waits for our next packet: its RFC 2349 <c>timeout</c>, else a ROM's (options).</summary>
    internal TimeSpan ClientTimeout => _clientTimeout;

    /// <summary>The client's timeout: the RFC 2349 <c>timeout</c> it asked for, else <see cref="TftpServerOptions.ClientTimeout"/>.</summary>
    internal static TimeSpan ClientTimeoutOf(TftpNegotiation negotiation, TftpServerOptions options) =>
        negotiation.TimeoutSeconds is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : options.ClientTimeout;

    /// <summary>
    /// The longest retransmission interval, back-off included: <see cref="TftpServerOptions.MaxRetransmitTimeout"/>,
    /// or the client's timeout ÷ <see cref="TftpServerOptions.RetransmitsPerClientTimeout"/> when that is shorter —
    /// so a lost packet is sent that many more times before the client's timer can run out.
    /// </summary>
    internal static TimeSpan RetransmitCeiling(TimeSpan clientTimeout, TftpServerOptions options)
    {
        var share = clientTimeout / options.RetransmitsPerClientTimeout;
        return share < options.MaxRetransmitTimeout ? share : options.MaxRetransmitTimeout;
    }

    /// <summary>Sends the OACK, or the first window when no option was accepted.</summary>
    public void Start(TimeSpan now, byte[] buffer)
    {
        _lastProgress = now;
        if (Negotiation.OptionAck is { } oack)
        {
            State = TftpTransferState.AwaitingOptionAck;
            SendOptionAck(oack, buffer);
            Arm(now, resent: false);
        }
        else
        {
            State = TftpTransferState.Sending;
            SendFrom(0, now, buffer, resent: false);
        }
    }

    /// <summary>Handles an ACK from the client.</summary>
    public TftpAckOutcome OnAck(ushort block, TimeSpan now, byte[] buffer)
    {
        switch (State)
        {
            case TftpTransferState.AwaitingOptionAck:
                if (block != 0)
                {
                    return TftpAckOutcome.Ignored;
                }

                SampleIfClean(now);
                State = TftpTransferState.Sending;
                _retries = 0;
                _lastProgress = now;
                SendFrom(0, now, buffer, resent: false);
                return TftpAckOutcome.Progress;

            case TftpTransferState.Sending:
                // Distance from the last acknowledged block, modulo the 16-bit wire number: only 1..(sent-acked)
                // acknowledges something new. 0 repeats the last ACK; anything larger is stale (from before a
                // rollback or a rollover) or from the future.
                // unchecked: the wrap-around is the point (the project checks arithmetic everywhere else).
                var ahead = unchecked((ushort)(block - (ushort)_acked));
                if (ahead == 0 && _ackedWasPartial && !_rolledBack && _acked < _sentUpTo)
                {
                    // The second copy of a partial ACK while blocks beyond it are outstanding: the client is
                    // stuck at _acked + 1 (lost, or it dropped what followed a gap). Fast retransmit, once per
                    // ACK value: further copies of it are ignored, the timer covers the rest.
                    Retransmits++;
                    Resend(now, buffer);
                    return TftpAckOutcome.Retransmitted;
                }

                if (ahead == 0 || ahead > _sentUpTo - _acked)
                {
                    return TftpAckOutcome.Duplicate;
                }

                var acked = _acked + ahead;
                var partial = acked < _sentUpTo;
                if (!partial)
                {
                    SampleIfClean(now);
                }

                _acked = acked;
                _ackedWasPartial = partial;
                _rolledBack = false;
                _retries = 0;
                _lastProgress = now;
                if (_acked == _totalBlocks)
                {
                    State = TftpTransferState.Completed;
                    return TftpAckOutcome.Completed;
                }

                // Slide: blocks up to _sentUpTo are in flight and stay so; only blocks beyond it go out, keeping
                // a window outstanding. After a full ACK that is the whole next window.
                SendFrom(_sentUpTo, now, buffer, resent: false);
                return TftpAckOutcome.Progress;

            default:
                return TftpAckOutcome.Ignored;
        }
    }

    /// <summary>The timer fired: re-send what is unacknowledged, or give up after the retry budget.</summary>
    public bool OnTimeout(TimeSpan now, byte[] buffer)
    {
        if (IsFinished || now < Deadline)
        {
            return !IsFinished;
        }

        if (now - Deadline > MaxTimerLateness)
        {
            MaxTimerLateness = now - Deadline;
        }

        // Give up only when both the retry budget is spent and the client cannot be listening any more: its timer
        // (restarted by its last progress) has run out, with one interval to spare for our last copy in flight.
        // A short interval therefore means more copies within the ROM's window, never an earlier give-up.
        if (++_retries > _maxRetries && now - _lastProgress >= _clientTimeout + _timer.Ceiling)
        {
            if (State == TftpTransferState.Sending && _sentUpTo == _totalBlocks)
            {
                // Every block went out and the client never confirmed the last window. The usual reason is a
                // client that finished and moved on (an NBP takes over the NIC) — reported, not hidden.
                State = TftpTransferState.Completed;
                Reason = "all blocks sent; the final ACK never arrived";
            }
            else
            {
                State = TftpTransferState.Failed;
                Reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no ACK after {_retries - 1} retransmissions in {(now - _lastProgress).TotalSeconds:F1} s; timer up to {MaxTimerLateness.TotalMilliseconds:F0} ms late");
            }

            return false;
        }

        _timer.BackOff();
        Retransmits++;
        Resend(now, buffer, copies: _doubleResendAfter > 0 && _retries >= _doubleResendAfter ? 2 : 1);
        return true;
    }

    /// <summary>The client re-sent its request: it missed our first answer. Re-send it, once per request.</summary>
    public bool OnRepeatedRequest(TimeSpan now, byte[] buffer)
    {
        if (_acked > 0 || IsFinished || (State == TftpTransferState.Sending && Negotiation.OptionAck is not null))
        {
            return false;
        }

        // The client's timer restarted when it re-sent the request: it listens for another timeout.
        _lastProgress = now;
        Retransmits++;
        Resend(now, buffer);
        return true;
    }

    /// <summary>The client sent an ERROR, or replaced the transfer with a new request.</summary>
    public void Abort(string reason)
    {
        if (!IsFinished)
        {
            State = TftpTransferState.Aborted;
            Reason = reason;
        }
    }

    /// <summary>We end it (shutdown, read error): tell the client so it fails fast instead of timing out.</summary>
    public void Fail(string reason, byte[] buffer)
    {
        if (IsFinished)
        {
            return;
        }

        State = TftpTransferState.Failed;
        Reason = reason;
        var error = new TftpErrorPacket(TftpErrorCode.NotDefined, reason.Length > 200 ? reason[..200] : reason);
        Channel.Send(Client, buffer.AsSpan(0, error.WriteTo(buffer)));
    }

    public void Dispose() => _content.Dispose();

    private void Resend(TimeSpan now, byte[] buffer, int copies = 1)
    {
        if (State == TftpTransferState.AwaitingOptionAck)
        {
            for (var i = 0; i < copies; i++)
            {
                SendOptionAck(Negotiation.OptionAck!, buffer);
            }

            Arm(now, resent: true);
        }
        else
        {
            // A rollback answers the ACK we hold: a later copy of it must not roll back again (its blocks are
            // on their way); only progress re-arms fast retransmit.
            _rolledBack = true;
            SendFrom(_acked, now, buffer, resent: true, copies);
        }
    }

    private void SendOptionAck(TftpOptionAckPacket oack, byte[] buffer) =>
        Channel.Send(Client, buffer.AsSpan(0, oack.WriteTo(buffer)));

    /// <summary>
    /// Sends blocks <paramref name="after"/>+1 … _acked+window (fewer at the end of the file) and re-arms the
    /// timer. From _acked it (re)sends the whole window; from _sentUpTo only the blocks that slid into it.
    /// The blocks are built back to back in <paramref name="buffer"/> (file bytes read straight into place behind
    /// each 4-byte header) and handed to the channel as one batch of equal-size datagrams, so a window costs one
    /// send where the transport can do that, not one per block.
    /// </summary>
    private void SendFrom(long after, TimeSpan now, byte[] buffer, bool resent, int copies = 1)
    {
        var blockSize = Negotiation.BlockSize;
        var segment = TftpDataPacket.HeaderLength + blockSize;
        var perBatch = Math.Clamp(Math.Min(buffer.Length, MaxBatchBytes) / segment, 1, MaxBatchDatagrams);
        var last = Math.Min(_acked + Negotiation.WindowSize, _totalBlocks);
        var used = 0;
        var batched = 0;
        for (var block = after + 1; block <= last; block++)
        {
            var offset = (block - 1) * blockSize;
            var expected = (int)Math.Min(blockSize, _content.Length - offset);
            var read = expected > 0 ? _content.Read(offset, buffer.AsSpan(used + TftpDataPacket.HeaderLength, expected)) : 0;
            if (read != expected)
            {
                Flush(buffer, ref used, ref batched, segment);
                Fail("the file changed size during the transfer", buffer);
                return;
            }

            var start = used;
            var length = TftpDataPacket.HeaderLength + read;
            TftpDataPacket.WriteHeader(buffer.AsSpan(used), unchecked((ushort)block));
            used += length;
            if (++batched == perBatch || read < blockSize || copies > 1)
            {
                // A short block is the file's last: it ends the batch (only the last datagram of one may be short).
                // A doubled resend (lock-step only) goes out at once, so its copy can follow it.
                Flush(buffer, ref used, ref batched, segment);
            }

            if (block <= _highestSent)
            {
                ResentBlocks++;
            }
            else
            {
                _highestSent = block;
            }

            for (var copy = 1; copy < copies; copy++)
            {
                // Flush leaves the bytes in place: the block is still at [start, start + length).
                Channel.Send(Client, buffer.AsSpan(start, length));
                ResentBlocks++;
            }
        }

        Flush(buffer, ref used, ref batched, segment);
        _sentUpTo = Math.Max(last, _sentUpTo);
        if (last > after)
        {
            Arm(now, resent);
        }
        else
        {
            // Progress but nothing new to send (the end of the file is in flight): restart the timer, and keep
            // the send time of the blocks outstanding so the next round-trip sample stays honest.
            Deadline = now + _timer.Current;
        }
    }

    private void Flush(byte[] buffer, ref int used, ref int batched, int segment)
    {
        if (batched == 1)
        {
            Channel.Send(Client, buffer.AsSpan(0, used));
        }
        else if (batched > 1)
        {
            Channel.SendSegments(Client, buffer.AsSpan(0, used), segment);
        }

        used = 0;
        batched = 0;
    }

    private void Arm(TimeSpan now, bool resent)
    {
        _sentAt = now;
        _resentSinceSample = resent;
        Deadline = now + _timer.Current;
    }

    private void SampleIfClean(TimeSpan now)
    {
        if (!_resentSinceSample)
        {
            _timer.Sample(now - _sentAt);
        }
    }
}

/// <summary>What an ACK did.</summary>
internal enum TftpAckOutcome
{
    /// <summary>Not an ACK this state expects (e.g. a block number during option negotiation).</summary>
    Ignored,

    /// <summary>Acknowledged nothing new; nothing was sent.</summary>
    Duplicate,

    /// <summary>Acknowledged nothing new but repeated a partial ACK: the window was re-sent (fast retransmit).</summary>
    Retransmitted,

    Progress,
    Completed,
}
