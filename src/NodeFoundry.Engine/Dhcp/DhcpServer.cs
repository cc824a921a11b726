using System.Net;
using System.Net.Sockets;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Net;

namespace NodeFoundry.Dhcp;

/// <summary>
/// The DHCP boot server: sockets, the packet loop and durable leases around <see cref="DhcpMessageHandler"/>.
/// Requests are handled in batches: every packet already queued on the socket is handled, the lease
/// journal is fsynced once for the whole batch, and only then are the batch's replies sent — so an ACK
/// never leaves before its lease is on disk, and a storm costs one fsync per batch, not per lease.
/// </summary>
public sealed class DhcpServer : IBootService, IListeningService, IDisposable
{
    private readonly FleetConfig _fleet;
    private readonly DhcpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DhcpMessageHandler? _handler;
    private MacRateLimiter? _rateLimiter;

    public DhcpServer(FleetConfig fleet, DhcpServerOptions options, TimeProvider? time = null)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>"dhcp@address:port[%interface]", with the bound port once listening (port 0 asks for any).</summary>
    public string Name => $"dhcp@{_options.ListenAddress}:{LocalEndPoint?.Port ?? _options.Port}{(_options.InterfaceName is null ? string.Empty : "%" + _options.InterfaceName)}";

    public DhcpServerCounters Counters { get; } = new();

    /// <summary>Completes once the sockets are bound (or faults with the bind error).</summary>
    public Task WhenListening => _listening.Task;

    /// <summary>The bound server endpoint (useful when <see cref="DhcpServerOptions.Port"/> is 0 in tests).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The bound proxy (4011) endpoint in proxyDHCP mode.</summary>
    public IPEndPoint? ProxyEndPoint { get; private set; }

    /// <summary>Current leases, safe to call while the server runs; empty before it starts.</summary>
    public IReadOnlyList<Lease> GetLeases() => _handler?.Leases.Snapshot() ?? [];

    /// <summary>How each address range is used right now (empty before the server started). Thread-safe.</summary>
    public IReadOnlyList<PoolUsage> GetPoolUsage() =>
        _handler?.Leases is { } leases ? [.. leases.Pools.Select(leases.GetUsage)] : [];

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ILeaseJournal journal;
        IReadOnlyList<LeaseRecord> replayed;
        try
        {
            if (_options.JournalPath is { } path)
            {
                journal = LeaseJournal.Open(path, out replayed);
            }
            else
            {
                journal = new InMemoryLeaseJournal();
                replayed = [];
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var error = new InvalidOperationException($"DHCP cannot open its lease journal '{_options.JournalPath}': {ex.Message}", ex);
            _listening.TrySetException(error);
            throw error;
        }

        var sockets = new List<Socket>();
        try
        {
            _handler = new DhcpMessageHandler(_fleet, journal, replayed, _options, _time);
            _rateLimiter = new MacRateLimiter(_fleet.Dhcp.MaxRequestsPerMacPerSecond);
            var main = UdpSocketFactory.Bind("DHCP", new IPEndPoint(_options.ListenAddress, _options.Port), _options.InterfaceName, broadcast: true);
            sockets.Add(main);
            LocalEndPoint = (IPEndPoint?)main.LocalEndPoint;
            if (_options.Mode == DhcpMode.Proxy)
            {
                var proxy = UdpSocketFactory.Bind("proxyDHCP", new IPEndPoint(_options.ListenAddress, _options.ProxyPort), _options.InterfaceName, broadcast: true);
                sockets.Add(proxy);
                ProxyEndPoint = (IPEndPoint?)proxy.LocalEndPoint;
            }
        }
        catch (Exception ex)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            journal.Dispose();
            _listening.TrySetException(ex);
            throw;
        }

        _listening.TrySetResult();
        try
        {
            var loops = sockets
                .Select((socket, index) => Task.Factory.StartNew(
                    () => PacketLoop(socket, onProxyPort: index == 1, events, cancellationToken),
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default))
                .ToArray();
            using (cancellationToken.Register(() => sockets.ForEach(s => s.Dispose())))
            {
                await Task.WhenAll(loops).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            lock (_gate)
            {
                _handler.Leases.Flush();
                journal.Dispose();
            }
        }
    }

    private void PacketLoop(Socket socket, bool onProxyPort, IBootEventSink events, CancellationToken cancellationToken)
    {
        var handler = _handler!;
        var receiveBuffer = new byte[65536];
        var sendBuffer = new byte[1500];
        var durable = new List<DhcpHandleResult>(_options.MaxBatch);
        var localAddress = _options.ListenAddress;
        EndPoint remote = new IPEndPoint(IPAddress.Any, 0);

        // Non-blocking receives drain the queue with one system call per packet; the loop blocks only in
        // Poll when the queue is empty, which is also when a batch ends.
        socket.Blocking = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                int length;
                try
                {
                    length = socket.ReceiveFrom(receiveBuffer, ref remote);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
                {
                    EndBatch(socket, handler, durable, sendBuffer, events);
                    socket.Poll(500_000, SelectMode.SelectRead);
                    continue;
                }

                var result = Handle(handler, receiveBuffer.AsSpan(0, length), localAddress, (IPEndPoint)remote, onProxyPort);
                if (result is not { } handled)
                {
                    continue;
                }

                if (handled.RequiresFlush)
                {
                    // An ACK (or a journalled release/decline) waits for the batch's fsync.
                    durable.Add(handled);
                    if (durable.Count >= _options.MaxBatch)
                    {
                        EndBatch(socket, handler, durable, sendBuffer, events);
                    }
                }
                else
                {
                    // OFFERs, NAKs and ignores promise nothing durable: out at once, no burst behind an fsync.
                    Deliver(socket, handled, sendBuffer, events);
                }
            }
            catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkUnreachable or SocketError.HostUnreachable)
            {
                // ICMP errors from earlier sends surface on receive; they say nothing about this loop.
            }
        }
    }

    /// <summary>fsyncs the journal once for every durable result collected, then sends their replies.</summary>
    private void EndBatch(Socket socket, DhcpMessageHandler handler, List<DhcpHandleResult> durable, byte[] sendBuffer, IBootEventSink events)
    {
        if (durable.Count == 0)
        {
            return;
        }

        bool flushed;
        lock (_gate)
        {
            flushed = TryFlush(handler, durable, events);
        }

        if (flushed)
        {
            foreach (var result in durable)
            {
                Deliver(socket, result, sendBuffer, events);
            }
        }

        durable.Clear();
    }

    private void Deliver(Socket socket, DhcpHandleResult result, byte[] sendBuffer, IBootEventSink events)
    {
        if (result.Reply is { } reply)
        {
            Send(socket, reply, sendBuffer);
        }

        Counters.Count(result.Event.Kind, result.Event.Firmware);
        events.Publish(result.Event);
    }

    /// <summary>Parses and handles one datagram; a malformed one is counted and dropped, never thrown.</summary>
    private DhcpHandleResult? Handle(DhcpMessageHandler handler, ReadOnlySpan<byte> datagram, IPAddress localAddress, IPEndPoint remote, bool onProxyPort)
    {
        Counters.CountReceived();
        if (!DhcpPacket.TryParse(datagram, out var packet, out _))
        {
            Counters.CountMalformed();
            return null;
        }

        if (!_rateLimiter!.TryAcquire(packet.MacAddress, NowTicks()))
        {
            Counters.CountRateLimited();
            return null;
        }

        try
        {
            // The lock only matters in proxy mode, where the 67 and 4011 loops share the handler.
            lock (_gate)
            {
                return handler.Handle(packet, localAddress, remote, onProxyPort);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A packet that parses but trips a bug in a decision must not stop the server: drop it, count it,
            // and say why (the event stream is bounded, so a flood of these cannot grow memory).
            Counters.CountHandlerFault();
            return new DhcpHandleResult(null, new LeaseEvent
            {
                Kind = LeaseEventKind.Ignored,
                MacAddress = packet.MacAddress,
                TransactionId = packet.TransactionId,
                Reason = $"internal error handling {packet.MessageType}: {ex.GetType().Name}: {ex.Message}",
            }, false);
        }
    }

    /// <summary>Monotonic time in TimeSpan ticks (the rate limiter's clock); double math, no overflow for any timestamp frequency.</summary>
    private long NowTicks() => (long)(_time.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency));

    private bool TryFlush(DhcpMessageHandler handler, List<DhcpHandleResult> batch, IBootEventSink events)
    {
        try
        {
            handler.Leases.Flush();
            Counters.CountJournalFlush();
            return true;
        }
        catch (IOException ex)
        {
            // Not durable, so not sent: the clients retransmit and the commit is retried with the next batch.
            events.Publish(new LeaseEvent
            {
                Kind = LeaseEventKind.Ignored,
                Reason = $"lease journal write failed, {batch.Count} replies withheld: {ex.Message}",
            });
            return false;
        }
    }

    private void Send(Socket socket, DhcpReply reply, byte[] sendBuffer)
    {
        try
        {
            var length = reply.Packet.WriteTo(sendBuffer, reply.MaxLength);
            try
            {
                socket.SendTo(sendBuffer.AsSpan(0, length), SocketFlags.None, reply.Destination);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                // The socket is non-blocking (see PacketLoop): a full send queue under a burst is a wait, not a loss.
                socket.Poll(50_000, SelectMode.SelectWrite);
                socket.SendTo(sendBuffer.AsSpan(0, length), SocketFlags.None, reply.Destination);
            }
        }
        catch (SocketException)
        {
            Counters.CountSendError();
        }
        catch (DhcpEncodeException)
        {
            Counters.CountSendError();
        }
    }

    public void Dispose()
    {
        _listening.TrySetCanceled();
    }
}
