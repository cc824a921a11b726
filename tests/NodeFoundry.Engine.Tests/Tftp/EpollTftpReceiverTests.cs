using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// The Linux epoll receive path on its own, over loopback sockets: datagrams reach the channel they were sent to,
/// and a channel removed while datagrams are pending is never read again, even when the kernel hands its
/// descriptor number to the next socket. Every wait is bounded; no timing assertions. No-ops off Linux.
/// </summary>
public sealed class EpollTftpReceiverTests
{
    [Fact]
    public void Datagram_to_a_transfer_socket_is_read_under_its_channel_id()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var request = RequestSocket();
        using var receiver = Create(request);
        using var transfer = Bound();
        receiver.Add(7, transfer);
        using var client = Bound();
        client.SendTo("ack-1"u8, transfer.LocalEndPoint!);

        Assert.Contains(7L, WaitFor(receiver, 7));
        var length = receiver.Receive(7, out var from, out var localAddress);
        Assert.Equal("ack-1", Encoding.ASCII.GetString(receiver.Datagram(length)));
        Assert.Equal(client.LocalEndPoint, from);
        Assert.Null(localAddress);
        Assert.Equal(-1, receiver.Receive(7, out _, out _));
    }

    [Fact]
    public void Request_port_datagram_carries_the_address_it_was_sent_to()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var request = RequestSocket();
        using var receiver = Create(request);
        using var client = Bound();
        client.SendTo("rrq"u8, request.LocalEndPoint!);

        Assert.Contains(0L, WaitFor(receiver, 0));
        var length = receiver.Receive(0, out var from, out var localAddress);
        Assert.Equal(3, length);
        Assert.Equal(client.LocalEndPoint, from);
        Assert.Equal(IPAddress.Loopback, localAddress);
    }

    [Fact]
    public void Removed_channel_with_pending_datagrams_is_not_read_and_its_reused_descriptor_is_not_misattributed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var request = RequestSocket();
        using var receiver = Create(request);
        using var client = Bound();
        var ended = Bound();
        receiver.Add(1, ended);
        for (var i = 0; i < 3; i++)
        {
            client.SendTo("for-1"u8, ended.LocalEndPoint!);
        }

        var staleTurn = WaitFor(receiver, 1);
        Assert.Contains(1L, staleTurn);

        // Transfer 1 ends mid-turn with its datagrams unread; transfer 2's socket may get the same descriptor
        // number (the kernel hands out the lowest free one), and a datagram arrives for it.
        receiver.Remove(1);
        ended.Dispose();
        using var next = Bound();
        receiver.Add(2, next);
        client.SendTo("for-2"u8, next.LocalEndPoint!);

        // The rest of the stale turn: channel 1 is gone, so nothing is read under its id, whatever its fd is now.
        Assert.Equal(-1, receiver.Receive(1, out _, out _));
        var turn = WaitFor(receiver, 2);
        Assert.DoesNotContain(1L, turn);
        var length = receiver.Receive(2, out var from, out _);
        Assert.Equal("for-2", Encoding.ASCII.GetString(receiver.Datagram(length)));
        Assert.Equal(client.LocalEndPoint, from);
        Assert.Equal(-1, receiver.Receive(2, out _, out _));
        Assert.Equal(2, receiver.Count);
    }

    [Fact]
    public void Removing_an_unknown_or_removed_channel_is_harmless()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var request = RequestSocket();
        using var receiver = Create(request);
        using var transfer = Bound();
        receiver.Add(3, transfer);
        receiver.Remove(3);
        receiver.Remove(3);
        receiver.Remove(99);
        Assert.Equal(1, receiver.Count);
        Assert.Equal(-1, receiver.Receive(3, out _, out _));
    }

    [Fact]
    public void Wake_ends_a_wait_without_reporting_a_channel()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var request = RequestSocket();
        using var receiver = Create(request);
        receiver.Wake();
        var ready = new List<long>();
        receiver.Wait(10_000, ready);
        Assert.Empty(ready);
    }

    private static EpollTftpReceiver Create(Socket request)
    {
        var receiver = EpollTftpReceiver.TryCreate(request, out var reason);
        Assert.True(receiver is not null, reason);
        return receiver!;
    }

    private static Socket RequestSocket()
    {
        var socket = Bound();
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        return socket;
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>Waits (at most 50 × 100 ms) until <paramref name="channelId"/> is reported ready; the last turn's ids.</summary>
    private static List<long> WaitFor(EpollTftpReceiver receiver, long channelId)
    {
        var ready = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            receiver.Wait(100, ready);
            if (ready.Contains(channelId))
            {
                break;
            }
        }

        return ready;
    }
}
