using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Probe;

/// <summary>
/// A TFTP client that behaves like a PXE option ROM, for tests and benchmarks: it asks tsize and blksize
/// (and optionally windowsize), locks onto the server's transfer port, acknowledges lock-step or per window,
/// re-acknowledges duplicates (never bursts), and gives up the way firmware does — a few request retries,
/// then any timeout is fatal. Each fetch uses its own socket; fetches run concurrently. Never throws for
/// anything the network does: every outcome is a <see cref="TftpRomResult"/>.
/// </summary>
public sealed class TftpRomClient
{
    private readonly TftpRomClientOptions _options;

    public TftpRomClient(TftpRomClientOptions? options = null)
    {
        _options = options ?? new TftpRomClientOptions();
        _options.Validate();
    }

    public TftpRomClientOptions Options => _options;

    /// <summary>Fetches <paramref name="fileName"/> from <paramref name="server"/> (its request port, usually 69).</summary>
    public Task<TftpRomResult> FetchAsync(IPEndPoint server, string fileName, CancellationToken cancel = default) =>
        RunAsync(server, fileName, probeOnly: false, cancel);

    /// <summary>
    /// OVMF's sequence: a request that only wants the size (its OACK is answered with an ERROR, as EDK2 does),
    /// then a second request, from a new port, that downloads the file. The result is the download's, with
    /// the probe attached; a failed probe fails the whole fetch at its stage.
    /// </summary>
    public async Task<TftpRomResult> FetchOvmfStyleAsync(IPEndPoint server, string fileName, CancellationToken cancel = default)
    {
        var started = Stopwatch.GetTimestamp();
        var probe = await RunAsync(server, fileName, probeOnly: true, cancel).ConfigureAwait(false);
        if (!probe.Succeeded)
        {
            return probe with { Probe = probe };
        }

        var download = await RunAsync(server, fileName, probeOnly: false, cancel).ConfigureAwait(false);
        if (download.Succeeded && probe.AnnouncedSize is { } probed && probed != download.Bytes)
        {
            download = download with
            {
                FailureStage = TftpRomStage.Verify,
                FailureCause = TftpRomFailureCause.SizeMismatch,
                Detail = $"the probe announced {probed} bytes, the download delivered {download.Bytes}",
            };
        }

        return download with { Probe = probe, Duration = Stopwatch.GetElapsedTime(started) };
    }

    private async Task<TftpRomResult> RunAsync(IPEndPoint server, string fileName, bool probeOnly, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(fileName);
        var state = new Transfer(fileName, _options);
        using var deadlineTimer = new CancellationTokenSource(_options.Deadline, _options.Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel, deadlineTimer.Token);
        ITftpRomSocket socket;
        try
        {
            var local = new IPEndPoint(_options.LocalAddress, 0);
            socket = _options.OpenSocket is { } open ? open(local) : new SocketTftpRomSocket(Bind(local));
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException)
        {
            return state.Fail(TftpRomStage.Request, TftpRomFailureCause.SocketError, $"cannot open the client socket: {ex.Message}");
        }

        using (socket)
        using (state)
        {
            state.StartClock(); // the socket's setup is the test harness's cost, not the transfer's
            try
            {
                return await ExchangeAsync(socket, server, state, probeOnly, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return state.Fail(state.Stage, TftpRomFailureCause.Cancelled, cancel.IsCancellationRequested ? "cancelled" : $"the fetch took longer than its {_options.Deadline.TotalSeconds:F0} s deadline");
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return state.Fail(state.Stage, TftpRomFailureCause.SocketError, ex.Message);
            }
        }
    }

    private Socket Bind(IPEndPoint local)
    {
        if (_options.BindSocket is { } bind)
        {
            return bind(local);
        }

        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<TftpRomResult> ExchangeAsync(ITftpRomSocket socket, IPEndPoint server, Transfer state, bool probeOnly, CancellationToken cancel)
    {
        var time = _options.Time;
        var request = new TftpRequest(false, state.FileName, TftpTransferMode.Octet, _options.RequestOptions()).ToArray();
        var buffer = new byte[TftpPacket.MaxLength + 16];
        var send = new byte[TftpAckPacket.Length];
        IPEndPoint? peer = null; // the server's transfer ID, locked on its first answer
        var askedTransferSize = _options.RequestTransferSize;
        await socket.SendToAsync(request, server, cancel).ConfigureAwait(false);
        var requestedAt = time.GetTimestamp();
        var requestsLeft = _options.RequestRetries;
        var transferRetriesLeft = _options.TransferRetries;
        long lastHeard = 0;
        var waitFrom = time.GetTimestamp();

        while (true)
        {
            var remaining = _options.Timeout - time.GetElapsedTime(waitFrom);
            var received = remaining > TimeSpan.Zero ? await ReceiveAsync(socket, buffer, remaining, time, cancel).ConfigureAwait(false) : null;
            if (received is null && socket.Available > 0)
            {
                // The timer fired, but the server's packet is already in the socket's queue: it arrived while this
                // process was not scheduled (a client starved of CPU), not after the ROM's deadline. A real ROM
                // polls its NIC and would have it; read it rather than blame the server. Counted, so a storm shows
                // how often its own client was late (the bias is at most that lateness, reported beside it).
                state.LateReads++;
                received = await ReceiveAsync(socket, buffer, _options.Timeout, time, cancel).ConfigureAwait(false);
            }

            if (received is null)
            {
                // The ROM's timer ran out.
                if (state.Stage == TftpRomStage.Request)
                {
                    if (requestsLeft-- > 0)
                    {
                        state.RequestRetransmits++;
                        await socket.SendToAsync(request, server, cancel).ConfigureAwait(false);
                        waitFrom = time.GetTimestamp();
                        continue;
                    }

                    return state.Fail(TftpRomStage.Request, TftpRomFailureCause.Timeout, $"no answer to {1 + _options.RequestRetries} read requests, {_options.Timeout.TotalSeconds:F1} s each");
                }

                if (transferRetriesLeft-- > 0)
                {
                    state.AckRetransmits++;
                    await SendAckAsync(socket, send, state.LastAcked, peer!, cancel).ConfigureAwait(false);
                    waitFrom = time.GetTimestamp();
                    continue;
                }

                return state.Fail(TftpRomStage.Transfer, TftpRomFailureCause.Timeout, $"no data for {_options.Timeout.TotalSeconds:F1} s after block {state.LastAcked} ({state.Bytes} bytes)");
            }

            var (length, from) = received.Value;
            if (!from.Address.Equals(server.Address))
            {
                continue; // not our server: a ROM ignores it
            }

            if (peer is not null && !from.Equals(peer))
            {
                // RFC 1350 §4: a packet from another port is someone else's transfer; tell it, keep ours.
                await SendErrorAsync(socket, TftpErrorCode.UnknownTransferId, "unknown transfer ID", from, cancel).ConfigureAwait(false);
                continue;
            }

            if (!TftpPacket.TryParse(buffer.AsSpan(0, length), out var packet, out var parseError))
            {
                await SendErrorAsync(socket, TftpErrorCode.IllegalOperation, "malformed packet", from, cancel).ConfigureAwait(false);
                return state.Fail(state.Stage, TftpRomFailureCause.ProtocolViolation, $"unparsable packet from the server: {parseError}");
            }

            peer ??= from;
            var now = time.GetTimestamp();
            if (lastHeard != 0)
            {
                state.NoteGap(time.GetElapsedTime(lastHeard, now));
            }

            lastHeard = now;
            switch (packet)
            {
                case TftpErrorPacket error:
                    return state.Fail(state.Stage, TftpRomFailureCause.ServerError, $"server error {(int)error.Code} ({error.Code}): {error.Message}", error.Code);

                case TftpOptionAckPacket oack when state.Stage == TftpRomStage.Request:
                    if (state.Accept(oack, _options) is { } rejected)
                    {
                        await SendErrorAsync(socket, TftpErrorCode.OptionNegotiationFailed, rejected.Message, from, cancel).ConfigureAwait(false);
                        return rejected.Result;
                    }

                    if (probeOnly)
                    {
                        // EDK2 only wanted the size: it answers the OACK with an ERROR and closes the port.
                        await SendErrorAsync(socket, TftpErrorCode.OptionNegotiationFailed, "User aborted download", from, cancel).ConfigureAwait(false);
                        return state.Succeed();
                    }

                    state.Stage = TftpRomStage.Transfer;
                    await SendAckAsync(socket, send, 0, from, cancel).ConfigureAwait(false);
                    waitFrom = time.GetTimestamp();
                    break;

                case TftpOptionAckPacket:
                    if (state.NextBlock == 1)
                    {
                        // Our ACK 0 was lost and the server sent its OACK again.
                        state.DuplicateBlocks++;
                        await SendAckAsync(socket, send, 0, from, cancel).ConfigureAwait(false);
                    }

                    break;

                case TftpDataPacket data:
                    if (state.Stage == TftpRomStage.Request)
                    {
                        // No OACK: the server ignored every option (RFC 2347 allows it): 512-byte lock-step.
                        if (askedTransferSize && _options.RequireTransferSize)
                        {
                            await SendErrorAsync(socket, TftpErrorCode.OptionNegotiationFailed, "tsize required", from, cancel).ConfigureAwait(false);
                            // Which packet it was says whose it was (a stray block of another transfer, or the server's own block 1).
                            return state.Fail(TftpRomStage.Negotiation, TftpRomFailureCause.MissingTransferSize,
                                $"the server sent data without an OACK; tsize was required (block {data.Block}, {data.Payload.Length} bytes, from port {from.Port}, {time.GetElapsedTime(requestedAt).TotalMilliseconds:F0} ms after the first read request)");
                        }

                        state.Stage = TftpRomStage.Transfer;
                        if (probeOnly)
                        {
                            await SendErrorAsync(socket, TftpErrorCode.OptionNegotiationFailed, "User aborted download", from, cancel).ConfigureAwait(false);
                            return state.Succeed();
                        }
                    }

                    var step = state.OnData(data);
                    if (step.Failure is { } failure)
                    {
                        await SendErrorAsync(socket, TftpErrorCode.DiskFull, failure.Message, from, cancel).ConfigureAwait(false);
                        return failure.Result;
                    }

                    if (step.Ack is { } ack)
                    {
                        await SendAckAsync(socket, send, ack, from, cancel).ConfigureAwait(false);
                    }

                    if (step.Progress)
                    {
                        waitFrom = time.GetTimestamp();
                    }

                    if (step.Complete)
                    {
                        return state.Verify();
                    }

                    break;

                default:
                    // RRQ/WRQ/ACK from a server: not for a reading client. Ignore, as firmware does.
                    break;
            }
        }
    }

    private static async Task<(int Length, IPEndPoint From)?> ReceiveAsync(ITftpRomSocket socket, byte[] buffer, TimeSpan timeout, TimeProvider time, CancellationToken cancel)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel, timer.Token);
        while (true)
        {
            try
            {
                return await socket.ReceiveFromAsync(buffer, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // An ICMP port-unreachable for an earlier send: not data, keep waiting.
            }
        }
    }

    private static async Task SendAckAsync(ITftpRomSocket socket, byte[] buffer, ushort block, IPEndPoint to, CancellationToken cancel)
    {
        new TftpAckPacket(block).WriteTo(buffer);
        await socket.SendToAsync(buffer, to, cancel).ConfigureAwait(false);
    }

    private static async Task SendErrorAsync(ITftpRomSocket socket, TftpErrorCode code, string message, IPEndPoint to, CancellationToken cancel) =>
        await socket.SendToAsync(new TftpErrorPacket(code, message).ToArray(), to, cancel).ConfigureAwait(false);

    /// <summary>What one DATA packet did: the ACK to send (if any), whether the file advanced or ended, or why it failed.</summary>
    private readonly record struct DataStep(ushort? Ack, bool Progress, bool Complete, (string Message, TftpRomResult Result)? Failure);

    /// <summary>The mutable state of one fetch.</summary>
    private sealed class Transfer : IDisposable
    {
        private long _started = Stopwatch.GetTimestamp();
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly MemoryStream? _content;
        private readonly long _maxBytes;
        private int _sinceAck;
        private bool _gapAcked;
        private TimeSpan _maxGap;

        public Transfer(string fileName, TftpRomClientOptions options)
        {
            FileName = fileName;
            _maxBytes = options.MaxBytes;
            _content = options.KeepContent ? new MemoryStream() : null;
        }

        public string FileName { get; }

        public void StartClock() => _started = Stopwatch.GetTimestamp();

        public TftpRomStage Stage { get; set; } = TftpRomStage.Request;

        public long Bytes { get; private set; }

        /// <summary>Next block expected, counted without wrapping (the wire number is its low 16 bits).</summary>
        public long NextBlock { get; private set; } = 1;

        public ushort LastAcked => unchecked((ushort)(NextBlock - 1));

        public int BlockSize { get; private set; } = 512;

        public int WindowSize { get; private set; } = 1;

        public long? AnnouncedSize { get; private set; }

        public bool OptionsAcknowledged { get; private set; }

        public int RequestRetransmits { get; set; }

        public int AckRetransmits { get; set; }

        public int DuplicateBlocks { get; set; }

        public int LateReads { get; set; }

        public int OutOfOrderBlocks { get; private set; }

        public void NoteGap(TimeSpan gap)
        {
            if (gap > _maxGap)
            {
                _maxGap = gap;
            }
        }

        /// <summary>Checks an OACK against what was asked; null when acceptable.</summary>
        public (string Message, TftpRomResult Result)? Accept(TftpOptionAckPacket oack, TftpRomClientOptions options)
        {
            OptionsAcknowledged = true;
            foreach (var option in oack.Options)
            {
                var ok = long.TryParse(option.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
                if (option.Is(TftpOptionNames.BlockSize) && ok && value >= TftpOptionNames.MinBlockSize && value <= options.BlockSize)
                {
                    BlockSize = (int)value;
                }
                else if (option.Is(TftpOptionNames.WindowSize) && options.WindowSize is { } asked && ok && value >= 1 && value <= asked)
                {
                    WindowSize = (int)value;
                }
                else if (option.Is(TftpOptionNames.TransferSize) && options.RequestTransferSize && ok)
                {
                    AnnouncedSize = value;
                }
                else
                {
                    var message = $"option '{option.Name}={option.Value}' was not asked for or is out of range";
                    return (message, Fail(TftpRomStage.Negotiation, TftpRomFailureCause.OptionRejected, message));
                }
            }

            if (options.RequestTransferSize && options.RequireTransferSize && AnnouncedSize is null)
            {
                const string message = "the OACK has no tsize";
                return (message, Fail(TftpRomStage.Negotiation, TftpRomFailureCause.MissingTransferSize, message));
            }

            if (AnnouncedSize > _maxBytes)
            {
                var message = $"tsize {AnnouncedSize} is above the client's bound of {_maxBytes} bytes";
                return (message, Fail(TftpRomStage.Negotiation, TftpRomFailureCause.TooLarge, message));
            }

            return null;
        }

        public DataStep OnData(TftpDataPacket data)
        {
            var expected = unchecked((ushort)NextBlock);
            var ahead = unchecked((short)(ushort)(data.Block - expected));
            if (ahead < 0)
            {
                // Already have it: the server retransmitted (our ACK was lost, or its timer fired) or the path duplicated it.
                DuplicateBlocks++;
                return data.Block == LastAcked ? new DataStep(LastAcked, false, false, null) : default;
            }

            if (ahead > 0)
            {
                // A gap: a block of this window was lost. Say once where we are (RFC 7440 §4); the server resends from there.
                OutOfOrderBlocks++;
                if (_gapAcked)
                {
                    return default;
                }

                _gapAcked = true;
                _sinceAck = 0;
                return new DataStep(LastAcked, false, false, null);
            }

            if (data.Payload.Length > BlockSize)
            {
                var message = $"block {data.Block} has {data.Payload.Length} bytes, more than blksize {BlockSize}";
                return new DataStep(null, false, false, (message, Fail(TftpRomStage.Transfer, TftpRomFailureCause.ProtocolViolation, message)));
            }

            if (Bytes + data.Payload.Length > _maxBytes)
            {
                var message = $"the file exceeds the client's bound of {_maxBytes} bytes";
                return new DataStep(null, false, false, (message, Fail(TftpRomStage.Transfer, TftpRomFailureCause.TooLarge, message)));
            }

            _hash.AppendData(data.Payload.Span);
            _content?.Write(data.Payload.Span);
            Bytes += data.Payload.Length;
            NextBlock++;
            _gapAcked = false;
            _sinceAck++;
            var last = data.Payload.Length < BlockSize;
            if (last || _sinceAck >= WindowSize)
            {
                _sinceAck = 0;
                return new DataStep(data.Block, true, last, null);
            }

            return new DataStep(null, true, false, null);
        }

        public TftpRomResult Verify()
        {
            if (AnnouncedSize is { } size && size != Bytes)
            {
                return Fail(TftpRomStage.Verify, TftpRomFailureCause.SizeMismatch, $"tsize announced {size} bytes, {Bytes} arrived");
            }

            return Succeed();
        }

        public TftpRomResult Succeed() => Result();

        public TftpRomResult Fail(TftpRomStage stage, TftpRomFailureCause cause, string detail, TftpErrorCode? serverError = null) =>
            Result() with { FailureStage = stage, FailureCause = cause, Detail = detail, ServerError = serverError };

        private TftpRomResult Result() => new()
        {
            FileName = FileName,
            Bytes = Bytes,
            AnnouncedSize = AnnouncedSize,
            Sha256 = Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant(),
            Content = _content?.ToArray(),
            Duration = Stopwatch.GetElapsedTime(_started),
            BlockSize = BlockSize,
            WindowSize = WindowSize,
            OptionsAcknowledged = OptionsAcknowledged,
            RequestRetransmits = RequestRetransmits,
            AckRetransmits = AckRetransmits,
            DuplicateBlocks = DuplicateBlocks,
            OutOfOrderBlocks = OutOfOrderBlocks,
            LateReads = LateReads,
            MaxInterPacketGap = _maxGap,
        };

        public void Dispose()
        {
            _hash.Dispose();
            _content?.Dispose();
        }
    }
}
