using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Lab;

/// <summary>
/// A seeded UDP relay that loses, duplicates, reorders and delays datagrams in both directions — the lab's
/// stand-in for <c>tc netem</c>, which these machines lack. Clients send to <see cref="LocalEndPoint"/>; each
/// client endpoint gets its own upstream socket (so the server sees distinct client ports, NAT-like) and the
/// server's replies go back to that client. With <see cref="UdpImpairmentRelayOptions.MirrorReplyPorts"/> a
/// server that answers from a new port (a TFTP transfer ID) is mirrored by a relay port of its own, so a
/// client sees the same port changes it would see without the relay.
/// Bounded: mappings expire when idle and are capped, held datagrams are capped, the relay stops after
/// <see cref="UdpImpairmentRelayOptions.Lifetime"/>. No exception leaves a receive loop.
/// Delays and reorder holds run on one scheduler thread per relay (<see cref="DelayScheduler"/>), accurate
/// to tens of microseconds; while a datagram is due within ~1.5 ms that thread yields in a loop.
/// </summary>
public sealed class UdpImpairmentRelay : IAsyncDisposable, IDisposable
{
    private readonly UdpImpairmentRelayOptions _options;
    private readonly Socket _listen;
    private readonly CancellationTokenSource _stop;
    private readonly ConcurrentDictionary<IPEndPoint, Mapping> _mappings = new();
    private readonly Task _completion;
    private readonly DelayScheduler _scheduler;
    private long _mappingSequence;

    // Counters (Interlocked).
    private long _fromClients, _fromServer, _toServer, _toClients, _lostToServer, _lostToClients;
    private long _dupToServer, _dupToClients, _reordered, _opened, _expired, _replyPorts, _droppedAtCap;
    private long _strangers, _sendErrors, _receiveErrors;
    private string? _firstStranger, _firstSecondReplyPort;

    private UdpImpairmentRelay(UdpImpairmentRelayOptions options, Socket listen, CancellationToken cancel)
    {
        _options = options;
        _listen = listen;
        LocalEndPoint = (IPEndPoint)listen.LocalEndPoint!;
        _scheduler = new DelayScheduler(options.MaxPendingDatagrams, "udp-impairment-relay delays");
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _stop.CancelAfter(options.Lifetime);
        _completion = Task.WhenAll(
            Task.Run(() => ListenLoopAsync(_stop.Token), CancellationToken.None),
            Task.Run(() => SweepLoopAsync(_stop.Token), CancellationToken.None));
    }

    /// <summary>Where clients send.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Completes when the relay has stopped (disposed, cancelled, or its lifetime is over).</summary>
    public Task Completion => _completion;

    /// <summary>Binds the listen socket and starts relaying. Throws <see cref="ArgumentException"/>-family exceptions for bad options and <see cref="SocketException"/> when the listen endpoint cannot be bound.</summary>
    public static UdpImpairmentRelay Start(UdpImpairmentRelayOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var listen = Bind(options, options.Listen, deepQueue: true);
        return new UdpImpairmentRelay(options, listen, cancel);
    }

    public UdpImpairmentRelayCounters Counters => new()
    {
        FromClients = Interlocked.Read(ref _fromClients),
        FromServer = Interlocked.Read(ref _fromServer),
        ToServer = Interlocked.Read(ref _toServer),
        ToClients = Interlocked.Read(ref _toClients),
        LostToServer = Interlocked.Read(ref _lostToServer),
        LostToClients = Interlocked.Read(ref _lostToClients),
        DuplicatedToServer = Interlocked.Read(ref _dupToServer),
        DuplicatedToClients = Interlocked.Read(ref _dupToClients),
        Reordered = Interlocked.Read(ref _reordered),
        MappingsOpened = Interlocked.Read(ref _opened),
        MappingsExpired = Interlocked.Read(ref _expired),
        MappingsActive = _mappings.Count,
        ReplyPortsOpened = Interlocked.Read(ref _replyPorts),
        DroppedAtCap = Interlocked.Read(ref _droppedAtCap),
        Strangers = Interlocked.Read(ref _strangers),
        FirstStranger = Volatile.Read(ref _firstStranger),
        FirstSecondReplyPort = Volatile.Read(ref _firstSecondReplyPort),
        SendErrors = Interlocked.Read(ref _sendErrors),
        ReceiveErrors = Interlocked.Read(ref _receiveErrors),
    };

    private static Socket Bind(UdpImpairmentRelayOptions options, IPEndPoint endpoint, bool deepQueue = false)
    {
        if (options.BindSocket is { } bind)
        {
            return bind(endpoint);
        }

        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (deepQueue)
            {
                // Every client's first datagrams land on the listen socket: a storm needs a deep kernel queue.
                TryEnlargeBuffers(socket);
            }

            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void TryEnlargeBuffers(Socket socket)
    {
        try
        {
            socket.ReceiveBufferSize = 1 << 20;
            socket.SendBufferSize = 1 << 20;
        }
        catch (SocketException)
        {
            // capped by the kernel; the default still works
        }
    }

    private async Task ListenLoopAsync(CancellationToken stop)
    {
        var buffer = new byte[_options.MaxDatagramBytes];
        EndPoint any = new IPEndPoint(_options.Listen.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            var (stopped, next) = await ReceiveOnceAsync(_listen, buffer, any, stop).ConfigureAwait(false);
            if (stopped)
            {
                break;
            }

            if (next is not { } received)
            {
                continue;
            }

            try
            {
                Interlocked.Increment(ref _fromClients);
                var client = (IPEndPoint)received.RemoteEndPoint;
                var mapping = GetOrOpenMapping(client, stop);
                if (mapping is null)
                {
                    Interlocked.Increment(ref _droppedAtCap);
                    continue;
                }

                mapping.Touch();
                Forward(mapping, toServer: true, mapping.Upstream, buffer.AsSpan(0, received.ReceivedBytes), _options.Target, stop);
            }
            catch (Exception)
            {
                // Nothing a datagram does may end the loop.
                Interlocked.Increment(ref _sendErrors);
            }
        }
    }

    /// <summary>
    /// One receive for either direction's loop: Stopped when the relay or the mapping is closing; no datagram
    /// (and a counted error) when the socket reported one — ICMP errors surface as ConnectionReset on some
    /// platforms — so the loop carries on.
    /// </summary>
    private async Task<(bool Stopped, SocketReceiveFromResult? Received)> ReceiveOnceAsync(Socket socket, byte[] buffer, EndPoint any, CancellationToken token)
    {
        try
        {
            return (false, await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            return (true, null);
        }
        catch (ObjectDisposedException)
        {
            return (true, null);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _receiveErrors);
            return (false, null);
        }
    }

    private Mapping? GetOrOpenMapping(IPEndPoint client, CancellationToken stop)
    {
        if (_mappings.TryGetValue(client, out var existing))
        {
            return existing;
        }

        if (_mappings.Count >= _options.MaxMappings)
        {
            return null;
        }

        var index = Interlocked.Increment(ref _mappingSequence) - 1;
        var upstreamAddress = _options.UpstreamAddress
            ?? (_options.Target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        var upstream = Bind(_options, new IPEndPoint(upstreamAddress, 0));
        var mapping = new Mapping(client, upstream, index, _options.Seed);
        _mappings[client] = mapping;
        Interlocked.Increment(ref _opened);
        _ = Task.Run(() => UpstreamLoopAsync(mapping, stop), CancellationToken.None);
        return mapping;
    }

    private async Task UpstreamLoopAsync(Mapping mapping, CancellationToken stop)
    {
        var buffer = new byte[_options.MaxDatagramBytes];
        EndPoint any = new IPEndPoint(_options.Target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(stop, mapping.Closed);
        while (!closed.IsCancellationRequested)
        {
            var (stopped, next) = await ReceiveOnceAsync(mapping.Upstream, buffer, any, closed.Token).ConfigureAwait(false);
            if (stopped)
            {
                break;
            }

            if (next is not { } received)
            {
                continue;
            }

            try
            {
                Interlocked.Increment(ref _fromServer);
                mapping.Touch();
                var from = (IPEndPoint)received.RemoteEndPoint;
                var face = _listen;
                if (_options.MirrorReplyPorts && !from.Equals(_options.Target))
                {
                    face = GetOrOpenFace(mapping, from, stop);
                    if (face is null)
                    {
                        Interlocked.Increment(ref _droppedAtCap);
                        continue;
                    }
                }

                Forward(mapping, toServer: false, face, buffer.AsSpan(0, received.ReceivedBytes), mapping.Client, stop);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _sendErrors);
            }
        }
    }

    private Socket? GetOrOpenFace(Mapping mapping, IPEndPoint server, CancellationToken stop)
    {
        lock (mapping.Faces)
        {
            if (mapping.Faces.TryGetValue(server, out var face))
            {
                return face;
            }

            if (mapping.Faces.Count >= _options.MaxReplyPortsPerMapping || mapping.Closed.IsCancellationRequested)
            {
                return null;
            }

            if (mapping.Faces.Count == 1 && Volatile.Read(ref _firstSecondReplyPort) is null)
            {
                Interlocked.CompareExchange(ref _firstSecondReplyPort, $"client {mapping.Client}: server {server} after {mapping.Faces.Keys.First()}", null);
            }

            face = Bind(_options, new IPEndPoint(_options.Listen.Address, 0));
            mapping.Faces[server] = face;
            Interlocked.Increment(ref _replyPorts);
            _ = Task.Run(() => FaceLoopAsync(mapping, face, server, stop), CancellationToken.None);
            return face;
        }
    }

    /// <summary>A mirrored reply port: what the client sends here goes to the server port it mirrors.</summary>
    private async Task FaceLoopAsync(Mapping mapping, Socket face, IPEndPoint server, CancellationToken stop)
    {
        var buffer = new byte[_options.MaxDatagramBytes];
        EndPoint any = new IPEndPoint(_options.Listen.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(stop, mapping.Closed);
        while (!closed.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await face.ReceiveFromAsync(buffer, SocketFlags.None, any, closed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _receiveErrors);
                continue;
            }

            try
            {
                if (!received.RemoteEndPoint.Equals(mapping.Client))
                {
                    if (Interlocked.Increment(ref _strangers) == 1)
                    {
                        Interlocked.CompareExchange(ref _firstStranger, $"{received.RemoteEndPoint} sent {received.ReceivedBytes} bytes to the reply port {face.LocalEndPoint} of client {mapping.Client} (server {server})", null);
                    }

                    continue;
                }

                Interlocked.Increment(ref _fromClients);
                mapping.Touch();
                Forward(mapping, toServer: true, mapping.Upstream, buffer.AsSpan(0, received.ReceivedBytes), server, stop);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _sendErrors);
            }
        }
    }

    private void Forward(Mapping mapping, bool toServer, Socket via, ReadOnlySpan<byte> datagram, IPEndPoint to, CancellationToken stop)
    {
        var impairment = toServer ? _options.ClientToServer : _options.ServerToClient;
        var decision = mapping.Decide(toServer, impairment);
        if (decision.Copies == 0)
        {
            Interlocked.Increment(ref toServer ? ref _lostToServer : ref _lostToClients);
            return;
        }

        if (decision.Copies == 2)
        {
            Interlocked.Increment(ref toServer ? ref _dupToServer : ref _dupToClients);
        }

        if (decision.Reordered)
        {
            Interlocked.Increment(ref _reordered);
        }

        // An immediate copy goes out now; a delayed one needs its own copy of the bytes (the buffer is reused).
        // Delayed copies wait in the scheduler, in due order: equal delays keep their order, a reorder hold
        // is due later and so is overtaken.
        byte[]? held = null;
        for (var copy = 0; copy < decision.Copies; copy++)
        {
            var delay = copy == 0 ? decision.FirstDelay : decision.SecondDelay;
            if (delay <= TimeSpan.Zero)
            {
                Send(via, datagram, to, toServer);
                continue;
            }

            held ??= datagram.ToArray();
            var bytes = held;
            var due = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
            if (!_scheduler.TrySchedule(due, () => Send(via, bytes, to, toServer)))
            {
                Interlocked.Increment(ref _droppedAtCap);
            }
        }
    }

    private void Send(Socket via, ReadOnlySpan<byte> datagram, IPEndPoint to, bool toServer)
    {
        try
        {
            via.SendTo(datagram, SocketFlags.None, to);
            Interlocked.Increment(ref toServer ? ref _toServer : ref _toClients);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
        }
    }

    private async Task SweepLoopAsync(CancellationToken stop)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_options.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var idleMs = (long)_options.IdleTimeout.TotalMilliseconds;
                var now = Environment.TickCount64;
                foreach (var (client, mapping) in _mappings)
                {
                    if (now - mapping.LastActivity > idleMs && _mappings.TryRemove(client, out _))
                    {
                        mapping.Dispose();
                        Interlocked.Increment(ref _expired);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            foreach (var client in _mappings.Keys)
            {
                if (_mappings.TryRemove(client, out var mapping))
                {
                    mapping.Dispose();
                }
            }

            _scheduler.Dispose();
            _listen.Dispose();
        }
    }

    /// <summary>Stops relaying and waits (bounded) for the loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(_completion, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One client endpoint's upstream socket, mirrored reply ports and seeded generators.</summary>
    private sealed class Mapping : IDisposable
    {
        private readonly Random _toServer;
        private readonly Random _toClient;
        private readonly CancellationTokenSource _closed = new();
        private long _lastActivity = Environment.TickCount64;

        public Mapping(IPEndPoint client, Socket upstream, long index, int seed)
        {
            Client = client;
            Upstream = upstream;
            var baseSeed = unchecked((seed * 1_000_003L) + (index * 2));
            _toServer = new Random(unchecked((int)(baseSeed ^ (baseSeed >> 32))));
            _toClient = new Random(unchecked((int)((baseSeed + 1) ^ ((baseSeed + 1) >> 32))));
        }

        public IPEndPoint Client { get; }

        public Socket Upstream { get; }

        public Dictionary<IPEndPoint, Socket> Faces { get; } = [];

        public CancellationToken Closed => _closed.Token;

        public long LastActivity => Interlocked.Read(ref _lastActivity);

        public void Touch() => Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);

        public UdpImpairmentDecision Decide(bool toServer, UdpImpairment impairment)
        {
            var random = toServer ? _toServer : _toClient;
            lock (random)
            {
                return impairment.Decide(random);
            }
        }

        public void Dispose()
        {
            lock (Faces)
            {
                _closed.Cancel();
                foreach (var face in Faces.Values)
                {
                    face.Dispose();
                }

                Faces.Clear();
            }

            // _closed is not disposed: loops may still link to its token while they unwind.
            Upstream.Dispose();
        }
    }
}
