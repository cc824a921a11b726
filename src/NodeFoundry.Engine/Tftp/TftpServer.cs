using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Net;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tftp;

/// <summary>
/// The TFTP boot server: sockets and one transfer loop around <see cref="TftpTransferManager"/>.
/// One dedicated thread ("nf-tftp-loop", optionally at a higher priority: <see cref="TftpServerOptions.LoopNice"/>)
/// owns all transfer state, so there are no locks on the hot path. Each turn handles the packets of running
/// transfers first and new requests after, then runs due retransmissions and admissions, and sleeps until the next
/// packet or the next deadline. How it hears packets (<see cref="ReceivePath"/>): on Linux it waits in epoll_wait on
/// every TFTP socket itself and reads them without blocking (<see cref="EpollTftpReceiver"/>, one scheduling hop per
/// ACK); elsewhere, or when epoll cannot be set up, receive loops on the runtime's socket engine copy datagrams into
/// a bounded inbound queue (three hops: socket-engine thread, thread-pool worker, loop).
/// </summary>
public sealed class TftpServer : IBootService, IListeningService, IDisposable
{
    private const int MaxBatch = 512;

    /// <summary>
    /// Datagrams read from one transfer socket per turn before the loop moves on (level-triggered epoll reports the
    /// rest next turn): a client flooding its transfer port cannot hold up the other transfers' ACKs.
    /// </summary>
    private const int MaxPerTransferSocket = 64;

    private const string LoopThreadName = "nf-tftp-loop";
    private readonly TftpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TftpServer(TftpServerOptions options, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _time = time ?? TimeProvider.System;
    }

    public string Name => $"tftp@{_options.ListenAddress}:{LocalEndPoint?.Port ?? _options.Port}{(_options.InterfaceName is null ? string.Empty : "%" + _options.InterfaceName)}";

    public TftpServerCounters Counters { get; } = new();

    /// <summary>Completes once the request socket is bound (or faults with the bind error).</summary>
    public Task WhenListening => _listening.Task;

    /// <summary>The bound request endpoint (useful when <see cref="TftpServerOptions.Port"/> is 0 in tests).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>How the transfer loop hears datagrams; set before <see cref="WhenListening"/> completes.</summary>
    public TftpReceivePath ReceivePath { get; private set; }

    /// <summary>Why the portable path is used on Linux (epoll setup failed), else null.</summary>
    public string? ReceivePathNote { get; private set; }

    /// <summary>
    /// What became of <see cref="TftpServerOptions.LoopNice"/>, known when <see cref="WhenListening"/> completes: the one notice about it (also
    /// in <see cref="TftpServerCounters.LoopNice"/> and <see cref="TftpServerCounters.LoopPriorityRefused"/>).
    /// </summary>
    public TftpLoopPriority LoopPriority { get; private set; } = TftpLoopPriority.NotStarted;

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        TftpFileStore files;
        Socket requestSocket;
        try
        {
            if (!Directory.Exists(_options.Root))
            {
                throw new InvalidOperationException($"TFTP root '{_options.Root}' does not exist. Create it and put the boot loaders (undionly.kpxe, snponly.efi, …) in it.");
            }

            files = new TftpFileStore(new TftpRootResolver(_options.Root), _options.MaxCachedFileBytes, _options.MaxCacheBytes);
            requestSocket = UdpSocketFactory.Bind("TFTP", new IPEndPoint(_options.ListenAddress, _options.Port), _options.InterfaceName, broadcast: false);
            // Lets each transfer socket bind to the address the client sent its request to.
            requestSocket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            LocalEndPoint = (IPEndPoint?)requestSocket.LocalEndPoint;
        }
        catch (Exception ex)
        {
            _listening.TrySetException(ex);
            throw;
        }

        EpollTftpReceiver? epoll = null;
        if (!_options.PortableReceiveOnly)
        {
            epoll = EpollTftpReceiver.TryCreate(requestSocket, out var reason);
            ReceivePathNote = OperatingSystem.IsLinux() ? reason : null;
        }

        ReceivePath = epoll is null ? TftpReceivePath.Portable : TftpReceivePath.Epoll;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var inbound = new BlockingCollection<Inbound>(new ConcurrentQueue<Inbound>(), _options.MaxInboundBacklog);
        void Deliver(Inbound item)
        {
            if (!inbound.TryAdd(item))
            {
                Counters.CountInboundDrop();
            }
        }

        var transport = new SocketTftpTransport(requestSocket, _options, Deliver, stop.Token, epoll);
        try
        {
            // Portable path only: the request socket's receive loop on the runtime's socket engine.
            var receiver = epoll is null ? RequestLoop(requestSocket, Deliver, stop.Token) : Task.CompletedTask;
            using var wake = epoll is null ? default : stop.Token.Register(epoll.Wake);
            var loop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var prioritySet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    TransferLoop(inbound, epoll, files, transport, events, prioritySet, stop.Token);
                    loop.TrySetResult();
                }
                catch (Exception ex)
                {
                    loop.TrySetException(ex);
                }
            })
            {
                // Named so its CPU and run-queue time can be read per thread (/proc/<pid>/task/<tid>/comm, schedstat).
                Name = LoopThreadName,
                IsBackground = true,
            };
            thread.Start();

            // Listening once the loop knows its priority, so whoever waits for it can report LoopPriority once.
            await Task.WhenAny(prioritySet.Task, loop.Task).ConfigureAwait(false);
            _listening.TrySetResult();
            await loop.Task.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await receiver.ConfigureAwait(false);
        }
        finally
        {
            // The loop has closed every transfer socket (leaving the epoll set first); the request socket leaves
            // the set here, before it is closed.
            epoll?.Dispose();
            requestSocket.Dispose();
        }
    }

    private static async Task RequestLoop(Socket socket, Action<Inbound> deliver, CancellationToken cancellationToken)
    {
        var buffer = new byte[TftpPacket.MaxLength];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                deliver(new Inbound(0, (IPEndPoint)result.RemoteEndPoint, result.PacketInformation.Address, buffer.AsSpan(0, result.ReceivedBytes).ToArray()));
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP errors from earlier sends surface on receive; they say nothing about this loop.
            }
        }
    }

    private void TransferLoop(BlockingCollection<Inbound> inbound, EpollTftpReceiver? epoll, TftpFileStore files, ITftpTransport transport, IBootEventSink events, TaskCompletionSource prioritySet, CancellationToken cancellationToken)
    {
        // This thread only: the HTTP engine's threads keep their priority, and the loop exits with the server.
        LoopPriority = TftpLoopPriority.ApplyToCurrentThread(_options.LoopNice);
        Counters.SetLoopPriority(LoopPriority);
        prioritySet.TrySetResult();
        var start = _time.GetTimestamp();
        using var manager = new TftpTransferManager(_options, files, transport, events, Counters);
        try
        {
            if (epoll is null)
            {
                QueueTurns(inbound, manager, start, cancellationToken);
            }
            else
            {
                EpollTurns(epoll, manager, start, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            manager.Shutdown(_time.GetElapsedTime(start));
        }
    }

    /// <summary>Milliseconds the loop may sleep: until the manager's next deadline, at most a second.</summary>
    private static int WaitMilliseconds(TimeSpan deadline, TimeSpan now) =>
        deadline == TimeSpan.MaxValue ? 1000 : (int)Math.Clamp(Math.Ceiling((deadline - now).TotalMilliseconds), 0, 1000);

    /// <summary>The Linux path: wait in epoll_wait, then read and handle the ready sockets on this thread.</summary>
    private void EpollTurns(EpollTftpReceiver epoll, TftpTransferManager manager, long start, CancellationToken cancellationToken)
    {
        var ready = new List<long>(256);
        var fresh = new List<Inbound>(MaxBatch);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetElapsedTime(start);
            epoll.Wait(WaitMilliseconds(manager.Tick(now), now), ready);
            if (ready.Count == 0)
            {
                continue;
            }

            now = _time.GetElapsedTime(start);

            // Transfers in flight first: their ACKs keep ROMs alive; new requests can wait a few milliseconds.
            // Straight from the reused receive buffer into the transfer: no copy, and no allocation for a known peer.
            // A transfer that ended earlier in this turn is no longer registered: its packets are not read (their
            // socket is closed), and a new transfer that got its descriptor number is not read under the old id.
            var requestPortReady = false;
            foreach (var channelId in ready)
            {
                if (channelId == 0)
                {
                    requestPortReady = true;
                    continue;
                }

                for (var i = 0; i < MaxPerTransferSocket; i++)
                {
                    var length = epoll.Receive(channelId, out var from, out _);
                    if (length < 0)
                    {
                        break;
                    }

                    Handle(manager, channelId, from!, null, epoll.Datagram(length), now);
                }
            }

            if (!requestPortReady)
            {
                continue;
            }

            // The request port: ACKs of single-port transfers are handled as they are read; new requests are copied
            // and handled after them (the decision is made once per packet, so none is handled twice).
            for (var i = 0; i < MaxBatch; i++)
            {
                var length = epoll.Receive(0, out var from, out var localAddress);
                if (length < 0)
                {
                    break;
                }

                if (manager.IsTransferPeer(from!))
                {
                    Handle(manager, 0, from!, localAddress, epoll.Datagram(length), now);
                }
                else
                {
                    fresh.Add(new Inbound(0, from!, localAddress, epoll.Datagram(length).ToArray()));
                }
            }

            foreach (var item in fresh)
            {
                Handle(manager, item.ChannelId, item.From, item.LocalAddress, item.Datagram, now);
            }

            fresh.Clear();
        }
    }

    /// <summary>The portable path: take batches from the inbound queue the receive loops fill.</summary>
    private void QueueTurns(BlockingCollection<Inbound> inbound, TftpTransferManager manager, long start, CancellationToken cancellationToken)
    {
        var batch = new List<Inbound>(MaxBatch);
        var inFlight = new List<Inbound>(MaxBatch);
        var fresh = new List<Inbound>(MaxBatch);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetElapsedTime(start);
            var wait = WaitMilliseconds(manager.Tick(now), now);
            if (!inbound.TryTake(out var first, wait, cancellationToken))
            {
                continue;
            }

            batch.Add(first);
            while (batch.Count < MaxBatch && inbound.TryTake(out var more))
            {
                batch.Add(more);
            }

            now = _time.GetElapsedTime(start);

            // Transfers in flight first: their ACKs keep ROMs alive; new requests can wait a few milliseconds.
            // Partition before handling anything, so a transfer that ends mid-batch cannot move a packet
            // from one pass to the other and have it handled twice.
            foreach (var item in batch)
            {
                (item.ChannelId != 0 || manager.IsTransferPeer(item.From) ? inFlight : fresh).Add(item);
            }

            foreach (var item in inFlight)
            {
                Handle(manager, item.ChannelId, item.From, item.LocalAddress, item.Datagram, now);
            }

            foreach (var item in fresh)
            {
                Handle(manager, item.ChannelId, item.From, item.LocalAddress, item.Datagram, now);
            }

            inFlight.Clear();
            fresh.Clear();
            batch.Clear();
        }
    }

    private void Handle(TftpTransferManager manager, long channelId, IPEndPoint from, IPAddress? localAddress, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        try
        {
            if (channelId == 0)
            {
                manager.OnRequestPortPacket(from, localAddress, datagram, now);
            }
            else
            {
                manager.OnTransferPortPacket(channelId, from, datagram, now);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A packet that trips a bug must not stop the server: drop it and count it.
            Counters.CountHandlerFault();
        }
    }

    public void Dispose() => _listening.TrySetCanceled();
}
