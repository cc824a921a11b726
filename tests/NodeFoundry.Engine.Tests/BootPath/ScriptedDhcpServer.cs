using System.Net;
using System.Net.Sockets;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.BootPath;

/// <summary>
/// A deliberately simple DHCP server for misconfigurations NodeFoundry cannot be configured into (it always
/// breaks the iPXE loop and always echoes HTTPClient): it answers each DISCOVER with an OFFER that
/// <see cref="Answer"/> fills in, sent back to where the DISCOVER came from (the relay's address).
/// </summary>
internal sealed class ScriptedDhcpServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="answer">Fills the OFFER (boot file, siaddr, option 60) for a DISCOVER; yiaddr and option 54 are preset.</param>
    public ScriptedDhcpServer(IPAddress identifier, Action<DhcpPacket, DhcpPacket> answer)
    {
        Identifier = identifier;
        Answer = answer;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(LoopAsync);
    }

    public IPAddress Identifier { get; }

    public Action<DhcpPacket, DhcpPacket> Answer { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    private async Task LoopAsync()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult got;
            try
            {
                got = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (!DhcpPacket.TryParse(buffer.AsSpan(0, got.ReceivedBytes), out var request, out _) || request.MessageType != DhcpMessageType.Discover)
            {
                continue;
            }

            var offer = DhcpPacket.CreateReply(request, DhcpMessageType.Offer);
            offer.YourAddress = IPAddress.Parse("127.0.0.200");
            offer.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Identifier);
            offer.Options.SetUInt32(DhcpOptionCode.LeaseTime, 300);
            Answer(request, offer);
            await _socket.SendToAsync(offer.ToArray(), got.RemoteEndPoint);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop ends with the socket
        }

        _stop.Dispose();
    }
}
