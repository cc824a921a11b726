using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Dhcp.Wire;

using NodeFoundry.Net;

namespace NodeFoundry.Simulation;

/// <summary>
/// One UDP socket for every simulated node's DHCP, as a relay agent has: requests go out with giaddr set, the
/// server answers unicast to giaddr, and one receive loop hands each reply to the node waiting on its MAC and
/// xid. Thousands of nodes then need one socket, not thousands, and no raw sockets or broadcasts.
/// </summary>
internal sealed class RelayDhcpChannel : IDisposable
{
    private const int ReceiveBufferBytes = 8 << 20; // a storm's replies arrive together; the default queue would drop them
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<(ulong Mac, uint Xid), Waiter> _waiters = new();
    private long _sent, _received, _unmatched, _retransmits;

    public RelayDhcpChannel(IPEndPoint replyEndPoint, IPAddress? relayAddress)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = ReceiveBufferBytes;
            ForceReceiveBuffer(_socket);
            _socket.Bind(replyEndPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        RelayAddress = relayAddress ?? LocalEndPoint.Address;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>giaddr of every request.</summary>
    public IPAddress RelayAddress { get; }

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Replies nobody waited for (late duplicates, answers after a give-up).</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Requests sent again because the schedule's wait ran out.</summary>
    public long Retransmits => Interlocked.Read(ref _retransmits);

    /// <summary>Receives until cancelled or the socket is closed; a malformed datagram is skipped, never thrown.</summary>
    public async Task ReceiveLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancel.IsCancellationRequested)
        {
            int length;
            try
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancel).ConfigureAwait(false);
                length = result.ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier send: not a reply
            }

            Interlocked.Increment(ref _received);
            if (!DhcpPacket.TryParse(buffer.AsSpan(0, length), out var reply, out _) || reply.Op != DhcpOpCode.BootReply)
            {
                Interlocked.Increment(ref _unmatched);
                continue;
            }

            var key = (MacKey(reply.ClientHardwareAddress), reply.TransactionId);
            if (_waiters.TryGetValue(key, out var waiter) && (reply.MessageType == waiter.Expected || reply.MessageType == DhcpMessageType.Nak))
            {
                waiter.Reply.TrySetResult(reply);
            }
            else
            {
                Interlocked.Increment(ref _unmatched);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for the reply of type <paramref name="expected"/> (or a NAK),
    /// sending it again, same xid, each time a wait of <paramref name="schedule"/> runs out. Reply null: no answer at
    /// all; Retransmits: how often it was sent again.
    /// </summary>
    public async Task<(DhcpPacket? Reply, int Retransmits)> ExchangeAsync(DhcpPacket request, DhcpMessageType expected, DhcpRetransmitSchedule schedule, IPEndPoint server, CancellationToken cancel)
    {
        request.GatewayAddress = RelayAddress;
        var key = (MacKey(request.ClientHardwareAddress), request.TransactionId);
        var waiter = new Waiter(expected);
        if (!_waiters.TryAdd(key, waiter))
        {
            throw new InvalidOperationException("two exchanges with the same MAC and xid at once");
        }

        try
        {
            var bytes = request.ToArray();
            for (var attempt = 0; attempt < schedule.Waits.Count; attempt++)
            {
                if (attempt > 0)
                {
                    Interlocked.Increment(ref _retransmits);
                }

                await _socket.SendToAsync(bytes, SocketFlags.None, server, cancel).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                try
                {
                    return (await waiter.Reply.Task.WaitAsync(schedule.Waits[attempt], cancel).ConfigureAwait(false), attempt);
                }
                catch (TimeoutException)
                {
                    // The firmware's wait ran out: send the same request again.
                }
            }

            return (null, schedule.Waits.Count - 1);
        }
        finally
        {
            _waiters.TryRemove(key, out _);
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// Linux caps SO_RCVBUF at net.core.rmem_max (208 KiB by default): a few hundred replies. A load generator that
    /// drops replies itself would blame the server, so as root take the full buffer with SO_RCVBUFFORCE.
    /// </summary>
    private static void ForceReceiveBuffer(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.ReceiveBufferSize >= ReceiveBufferBytes)
        {
            return;
        }

        try
        {
            socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoRcvBufForce, BitConverter.GetBytes(ReceiveBufferBytes));
        }
        catch (SocketException)
        {
            // Not root (no CAP_NET_ADMIN): keep the capped buffer; the bench runs as root.
        }
    }

    private static ulong MacKey(byte[] chaddr)
    {
        ulong key = 0;
        for (var i = 0; i < 6; i++)
        {
            key = (key << 8) | chaddr[i];
        }

        return key;
    }

    private sealed class Waiter(DhcpMessageType expected)
    {
        public DhcpMessageType Expected { get; } = expected;

        public TaskCompletionSource<DhcpPacket> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
