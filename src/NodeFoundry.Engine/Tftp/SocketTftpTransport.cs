using System.Net;
using System.Net.Sockets;
using NodeFoundry.Net;

namespace NodeFoundry.Tftp;

/// <summary>
/// The server's transport: the request socket, plus one ephemeral socket per transfer (RFC 1350's TIDs)
/// unless single-port mode puts every transfer on the request socket. Each transfer socket runs its own
/// receive loop that hands datagrams to the server's inbound queue tagged with the channel id.
/// </summary>
internal sealed class SocketTftpTransport : ITftpTransport
{
    // Clients only send ACKs and ERRORs to a transfer port; anything longer than this is not one of those.
    private const int TransferReceiveBytes = 2048;
    private readonly Socket _requestSocket;
    private readonly TftpServerOptions _options;
    private readonly Action<Inbound> _deliver;
    private readonly CancellationToken _stopping;
    private long _nextId;

    public SocketTftpTransport(Socket requestSocket, TftpServerOptions options, Action<Inbound> deliver, CancellationToken stopping)
    {
        _requestSocket = requestSocket;
        _options = options;
        _deliver = deliver;
        _stopping = stopping;
        RequestChannel = new Channel(0, requestSocket, ownsSocket: false);
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
        var channel = new Channel(Interlocked.Increment(ref _nextId), socket, ownsSocket: true);
        _ = ReceiveLoop(socket, channel.Id);
        return channel;
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

    private sealed class Channel(long id, Socket socket, bool ownsSocket) : ITftpChannel
    {
        public long Id => id;

        public bool Send(IPEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            try
            {
                socket.SendTo(datagram, SocketFlags.None, destination);
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

        public void Dispose()
        {
            if (ownsSocket)
            {
                socket.Dispose();
            }
        }
    }
}

/// <summary>One received datagram on its way to the transfer loop; channel 0 is the request port.</summary>
internal readonly record struct Inbound(long ChannelId, IPEndPoint From, IPAddress? LocalAddress, byte[] Datagram);
