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
/// Receive loops (the request socket and each transfer socket) only copy datagrams into a bounded inbound
/// queue; one dedicated thread owns all transfer state, so there are no locks on the hot path. Each turn
/// of that thread takes a batch, handles the packets of running transfers first and new requests after,
/// then runs due retransmissions and admissions, and sleeps until the next packet or the next deadline.
/// </summary>
public sealed class TftpServer : IBootService, IListeningService, IDisposable
{
    private const int MaxBatch = 512;
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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var inbound = new BlockingCollection<Inbound>(new ConcurrentQueue<Inbound>(), _options.MaxInboundBacklog);
        void Deliver(Inbound item)
        {
            if (!inbound.TryAdd(item))
            {
                Counters.CountInboundDrop();
            }
        }

        var transport = new SocketTftpTransport(requestSocket, _options, Deliver, stop.Token);
        _listening.TrySetResult();
        try
        {
            var receiver = RequestLoop(requestSocket, Deliver, stop.Token);
            var loop = Task.Factory.StartNew(
                () => TransferLoop(inbound, files, transport, events, stop.Token),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            await loop.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await receiver.ConfigureAwait(false);
        }
        finally
        {
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

    private void TransferLoop(BlockingCollection<Inbound> inbound, TftpFileStore files, ITftpTransport transport, IBootEventSink events, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        using var manager = new TftpTransferManager(_options, files, transport, events, Counters);
        var batch = new List<Inbound>(MaxBatch);
        var inFlight = new List<Inbound>(MaxBatch);
        var fresh = new List<Inbound>(MaxBatch);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = _time.GetElapsedTime(start);
                var deadline = manager.Tick(now);
                var wait = deadline == TimeSpan.MaxValue ? 1000 : (int)Math.Clamp(Math.Ceiling((deadline - now).TotalMilliseconds), 0, 1000);
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
                    Handle(manager, item, now);
                }

                foreach (var item in fresh)
                {
                    Handle(manager, item, now);
                }

                inFlight.Clear();
                fresh.Clear();
                batch.Clear();
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

    private void Handle(TftpTransferManager manager, Inbound item, TimeSpan now)
    {
        try
        {
            if (item.ChannelId == 0)
            {
                manager.OnRequestPortPacket(item.From, item.LocalAddress, item.Datagram, now);
            }
            else
            {
                manager.OnTransferPortPacket(item.ChannelId, item.From, item.Datagram, now);
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
