using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Probe;

/// <summary>A <see cref="TftpRomClient"/>'s socket over a real UDP <see cref="Socket"/> (which it owns).</summary>
internal sealed class SocketTftpRomSocket(Socket socket) : ITftpRomSocket
{
    private static readonly IPEndPoint AnyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint AnyV6 = new(IPAddress.IPv6Any, 0);

    public int Available => socket.Available;

    public async ValueTask SendToAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancel) =>
        await socket.SendToAsync(datagram, SocketFlags.None, to, cancel).ConfigureAwait(false);

    public async ValueTask<(int Length, IPEndPoint From)> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancel)
    {
        var any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? AnyV6 : AnyV4;
        var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancel).ConfigureAwait(false);
        return (result.ReceivedBytes, (IPEndPoint)result.RemoteEndPoint);
    }

    public void Dispose() => socket.Dispose();
}
