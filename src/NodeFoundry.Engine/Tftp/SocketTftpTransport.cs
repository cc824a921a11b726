using System.Net;
using System.Net.Sockets;
using NodeFoundry.Net;

namespace NodeFoundry.Tftp;

/// <summary>
/// The server's transport: the request socket, plus one ephemeral socket per transfer (RFC 1350's TIDs)
/// unless single-port mode puts every transfer on the request socket. With an <see cref="EpollTftpReceiver"/>
/// (Linux) each transfer socket joins the transfer loop's epoll set and leaves it before it is closed; without one
/// (the portable path) each transfer socket runs its own asynchronous receive loop that hands datagrams to the
/// server's inbound queue tagged with the channel id.
/// </summary>
internal sealed class SocketTftpTransport : ITftpTransport
{
    // Clients only send ACKs and ERRORs to a transfer port; anything longer than this is not one of those.
    private const int TransferReceiveBytes = 2048;
    private readonly Socket _requestSocket;
    private readonly TftpServerOptions _options;
    private readonly Action<Inbound> _deliver;
    private readonly CancellationToken _stopping;
    private readonly EpollTftpReceiver? _epoll;
    private long _nextId;

    public SocketTftpTransport(Socket requestSocket, TftpServerOptions options, Action<Inbound> deliver, CancellationToken stopping, EpollTftpReceiver? epoll = null)
    {
        _requestSocket = requestSocket;
        _options = options;
        _deliver = deliver;
        _stopping = stopping;
        _epoll = epoll;
        RequestChannel = new Channel(0, requestSocket, ownsSocket: false, epoll: null);
    }

    public ITftpChannel RequestChannel { get; }

    public ITftpChannel Open(IPEndPoint client, IPAddress? localAddress)
    {
        if (_options.SinglePort)
        {
            return RequestChannel;
        }

        // Reply from the address the client spoke to: a client that sent to 192.0.2.1 rejects DATA from another address.
        var bindAddress = _options.ListenAddress.Equals(IPAddress.Any) && localAddress is not null && !localAddress.Equals(IPAddress.Any)
            ? localAddress
            : _options.ListenAddress;
        var socket = UdpSocketFactory.Bind("TFTP transfer", new IPEndPoint(bindAddress, 0), _options.InterfaceName, broadcast: false, receiveBufferBytes: 256 << 10);
        var id = Interlocked.Increment(ref _nextId);
        if (_epoll is null)
        {
            var portable = new Channel(id, socket, ownsSocket: true, epoll: null);
            _ = ReceiveLoop(socket, id);
            return portable;
        }

        try
        {
            _epoll.Add(id, socket);
        }
        catch (SocketException)
        {
            // The manager treats this like running out of ports: the client retransmits its request.
            socket.Dispose();
            throw;
        }

        return new Channel(id, socket, ownsSocket: true, _epoll);
    }

    private async Task ReceiveLoop(Socket socket, long id)
    {
        var buffer = new byte[TransferReceiveBytes];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping).ConfigureAwait(false);
                _deliver(new Inbound(id, (IPEndPoint)result.RemoteEndPoint, null, buffer.AsSpan(0, result.ReceivedBytes).ToArray()));
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.NotSocket)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP errors of earlier sends surface here (connection reset, unreachable); the timer handles loss.
            }
        }
    }

    /// <summary>
    /// One transfer's socket (or the shared request socket). Sends reuse the destination's serialized address, and
    /// a window of DATA packets on a transfer's own socket leaves in one <c>sendto</c> with UDP segmentation offload
    /// (Linux <c>UDP_SEGMENT</c>, kernel 4.18+): the kernel cuts the buffer into datagrams of the segment size, so
    /// the receiver sees exactly the packets it would have seen one by one. Where that is not available (another
    /// OS, an old kernel, a segment larger than the path allows) the channel falls back to one send per datagram.
    /// </summary>
    private sealed class Channel(long id, Socket socket, bool ownsSocket, EpollTftpReceiver? epoll) : ITftpChannel
    {

        // Only a transfer's own socket: the shared request socket serves transfers of every block size at once.
        private bool _segmentation = ownsSocket && OperatingSystem.IsLinux();
        private int _segmentLength;
        private IPEndPoint? _lastDestination;
        private SocketAddress? _lastAddress;

        public long Id => id;

        public bool Send(IPEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            if (_segmentLength != 0 && datagram.Length > _segmentLength && !SetSegmentLength(0))
            {
                // The kernel would cut this datagram (an ERROR longer than a tiny block) into pieces; never send it so.
                return false;
            }

            return SendTo(destination, datagram);
        }

        public bool SendSegments(IPEndPoint destination, ReadOnlySpan<byte> datagrams, int segmentLength)
        {
            if (datagrams.Length <= segmentLength)
            {
                return Send(destination, datagrams);
            }

            if (_segmentation && SetSegmentLength(segmentLength))
            {
                try
                {
                    socket.SendTo(datagrams, SocketFlags.None, Address(destination));
                    return true;
                }
                catch (SocketException)
                {
                    // EINVAL/EMSGSIZE/EIO: segmentation is not possible on this path. A failed send sent nothing;
                    // send one by one from now on.
                    _segmentation = false;
                    SetSegmentLength(0);
                }
                catch (ObjectDisposedException)
                {
                    return false;
                }
            }

            var ok = true;
            for (var at = 0; at < datagrams.Length; at += segmentLength)
            {
                ok &= SendTo(destination, datagrams.Slice(at, Math.Min(segmentLength, datagrams.Length - at)));
            }

            return ok;
        }

        public void Dispose()
        {
            if (ownsSocket)
            {
                // Out of the epoll set first: once closed, the descriptor number can belong to the next transfer.
                epoll?.Remove(id);
                socket.Dispose();
            }
        }

        private bool SendTo(IPEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            try
            {
                socket.SendTo(datagram, SocketFlags.None, Address(destination));
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>The destination's socket address, serialized once per peer rather than on every send.</summary>
        private SocketAddress Address(IPEndPoint destination)
        {
            if (_lastAddress is null || !destination.Equals(_lastDestination))
            {
                _lastAddress = destination.Serialize();
                _lastDestination = destination;
            }

            return _lastAddress;
        }

        private bool SetSegmentLength(int length)
        {
            if (length == _segmentLength)
            {
                return true;
            }

            try
            {
                socket.SetRawSocketOption(LinuxSocketOptions.SolUdp, LinuxSocketOptions.UdpSegment, BitConverter.GetBytes(length));
                _segmentLength = length;
                return true;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or PlatformNotSupportedException)
            {
                _segmentation = false;
                return false;
            }
        }
    }
}

/// <summary>One received datagram on its way to the transfer loop; channel 0 is the request port.</summary>
internal readonly record struct Inbound(long ChannelId, IPEndPoint From, IPAddress? LocalAddress, byte[] Datagram);
