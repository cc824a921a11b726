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
/// <remarks>
/// With a shared store (PostgreSQL) the batch's flush is one transaction, and the database may refuse a grant another
/// server committed first: that client gets a NAK instead of the ACK. While the store is unreachable the server only
/// answers clients whose lease the store already holds (OFFER of their address, ACK of the renewal, written once the
/// store is back); new clients get silence, never an address that might be someone else's — they retransmit, and are
/// served when the store returns. The outage and the recovery are published as <see cref="LeaseStoreEvent"/>s.
/// </remarks>
public sealed class DhcpServer : IBootService, IListeningService, IDisposable
{
    private readonly FleetConfig _fleet;
    private readonly DhcpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DhcpMessageHandler? _handler;
    private MacRateLimiter? _rateLimiter;
    private ILeaseStore? _store;
    private volatile bool _storeDown;
    private long _nextSyncTimestamp;

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

    /// <summary>The lease store once the server started (its <see cref="ILeaseStore.Description"/> names it).</summary>
    public ILeaseStore? Store => _store;

    /// <summary>True while a shared lease store cannot be reached.</summary>
    public bool IsStoreUnavailable => _storeDown;

    /// <summary>How often a server on a shared store reads the leases the other servers wrote.</summary>
    public TimeSpan StoreSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Current leases, safe to call while the server runs; empty before it starts.</summary>
    /// <remarks>
    /// On a shared store the answer comes from the store, so every operator console sees the whole fleet's leases,
    /// whichever server granted them; while the store is unreachable it falls back to what this server knows.
    /// </remarks>
    public IReadOnlyList<Lease> GetLeases()
    {
        if (_store is { IsShared: true } store && !_storeDown)
        {
            try
            {
                return store.ReadLeases();
            }
            catch (IOException)
            {
                // The packet loop notices the outage by itself; a listing just says what this server knows.
            }
        }

        return _handler?.Leases.Snapshot() ?? [];
    }

    /// <summary>How each address range is used right now (empty before the server started). Thread-safe.</summary>
    public IReadOnlyList<PoolUsage> GetPoolUsage() =>
        _handler?.Leases is { } leases ? [.. leases.Pools.Select(leases.GetUsage)] : [];

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ILeaseStore store;
        IReadOnlyList<LeaseRecord> replayed;
        try
        {
            store = _options.LeaseStore is { } open ? open() : JournalLeaseStore.Open(_options.JournalPath);
            try
            {
                replayed = store.Load();
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var error = new InvalidOperationException(_options.LeaseStore is null
                ? $"DHCP cannot open its lease journal '{_options.JournalPath}': {ex.Message}"
                : $"DHCP cannot open its lease store: {ex.Message}", ex);
            _listening.TrySetException(error);
            throw error;
        }

        _store = store;

        var sockets = new List<Socket>();
        try
        {
            _handler = new DhcpMessageHandler(_fleet, store, replayed, _options, _time);
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

            store.Dispose();
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
                try
                {
                    _handler.Leases.Flush();
                }
                catch (IOException) when (store.IsShared)
                {
                    // Stopped during a database outage: what is still pending are renewals already answered; the
                    // database keeps their previous expiry and the clients renew again. Not a reason to fail the stop.
                }
                finally
                {
                    store.Dispose();
                }
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
                    SyncSharedStore(handler, events);
                    socket.Poll(500_000, SelectMode.SelectRead);
                    continue;
                }

                var result = Handle(handler, receiveBuffer.AsSpan(0, length), localAddress, (IPEndPoint)remote, onProxyPort);
                if (result is not { } handled || WithheldDuringOutage(handled, events))
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
        IReadOnlyList<LeaseConflict> conflicts = [];
        lock (_gate)
        {
            flushed = TryFlush(handler, durable, events);
            if (flushed && _store!.IsShared)
            {
                conflicts = _store.TakeConflicts();
                handler.Leases.LearnRefusals(conflicts);

                if (conflicts.Count > 0)
                {
                    // Another server is allocating where this one is: read all it wrote now, not just the addresses
                    // that collided, or the next clients would collide with its next grants one by one.
                    Interlocked.Exchange(ref _nextSyncTimestamp, 0);
                }
            }
        }

        foreach (var result in durable)
        {
            if (flushed)
            {
                Deliver(socket, RefusedByStore(handler, result, conflicts) ?? result, sendBuffer, events);
            }
            else if (_store!.IsShared && result.Event.Kind == LeaseEventKind.Renewed
                && result.Event.MacAddress is { } mac && result.Event.Address is { } address && _store.IsDurablyBound(mac, address))
            {
                // The store is down but already holds this client's lease: the renewal is answered from memory and
                // its new expiry written once the store is back (the store keeps the record until then).
                Deliver(socket, result, sendBuffer, events);
            }
        }

        durable.Clear();
        SyncSharedStore(handler, events); // a loop that is never idle under a storm must still hear the other servers
    }

    /// <summary>The NAK for a grant the shared store refused (another server was first), or null when it was accepted.</summary>
    private static DhcpHandleResult? RefusedByStore(DhcpMessageHandler handler, DhcpHandleResult result, IReadOnlyList<LeaseConflict> conflicts)
    {
        if (conflicts.Count == 0 || result.Reply is null || result.Event.Kind is not (LeaseEventKind.Granted or LeaseEventKind.Renewed))
        {
            return null;
        }

        foreach (var conflict in conflicts)
        {
            if (conflict.Refused.Kind == LeaseRecordKind.Bound
                && conflict.Refused.MacAddress.Equals(result.Event.MacAddress)
                && conflict.Refused.Address.Equals(result.Event.Address))
            {
                var holder = conflict.Holder is { } h ? $" by {h.MacAddress}" : string.Empty;
                return handler.RefuseGrant(result, $"{conflict.Refused.Address} was taken{holder} through another server");
            }
        }

        return null;
    }

    /// <summary>
    /// While a shared store is down, an OFFER to a client whose lease the store does not hold would promise an address
    /// this server cannot safely grant: it is not sent (the client retransmits; the event says why).
    /// </summary>
    private bool WithheldDuringOutage(DhcpHandleResult result, IBootEventSink events)
    {
        if (!_storeDown || result.Event.Kind != LeaseEventKind.Offered || _store is not { IsShared: true } store)
        {
            return false;
        }

        if (result.Event.MacAddress is { } mac && result.Event.Address is { } address && store.IsDurablyBound(mac, address))
        {
            return false;
        }

        events.Publish(result.Event with
        {
            Kind = LeaseEventKind.Ignored,
            Reason = "lease store unavailable: no new address is offered until it is back",
        });
        Counters.Count(LeaseEventKind.Ignored);
        return true;
    }

    /// <summary>
    /// On a shared store, takes in what the other servers wrote (at most every <see cref="StoreSyncInterval"/>), so this
    /// server's allocations avoid their addresses and it knows their clients when they renew here. While the store is
    /// down this is also the retry that notices its return when no client is asking.
    /// </summary>
    private void SyncSharedStore(DhcpMessageHandler handler, IBootEventSink events)
    {
        if (_store is not { IsShared: true } store || _time.GetTimestamp() < Interlocked.Read(ref _nextSyncTimestamp))
        {
            return;
        }

        Interlocked.Exchange(ref _nextSyncTimestamp, _time.GetTimestamp() + (long)(StoreSyncInterval.TotalSeconds * _time.TimestampFrequency));
        lock (_gate)
        {
            try
            {
                if (_storeDown)
                {
                    // Write what was kept during the outage first: the store reports back only through a flush.
                    handler.Leases.Flush();
                }

                foreach (var record in store.ReadChanges())
                {
                    handler.Leases.Learn(record);
                }

                StoreReachable(events);
            }
            catch (IOException ex)
            {
                StoreUnreachable(events, ex);
            }
        }
    }

    private void StoreReachable(IBootEventSink events)
    {
        if (_storeDown)
        {
            _storeDown = false;
            events.Publish(new LeaseStoreEvent { Timestamp = _time.GetUtcNow(), Kind = LeaseStoreEventKind.Recovered, Store = _store!.Description });
        }
    }

    private void StoreUnreachable(IBootEventSink events, IOException ex)
    {
        if (!_storeDown)
        {
            _storeDown = true;
            events.Publish(new LeaseStoreEvent { Timestamp = _time.GetUtcNow(), Kind = LeaseStoreEventKind.Unavailable, Store = _store!.Description, Reason = ex.Message });
        }
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
            if (_store!.IsShared)
            {
                StoreReachable(events);
            }

            return true;
        }
        catch (IOException ex) when (_store!.IsShared)
        {
            // One event per outage, not per batch: the store keeps the records and the next flush retries them.
            StoreUnreachable(events, ex);
            return false;
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
