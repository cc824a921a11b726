using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using NodeFoundry.Dhcp.Wire;

using NodeFoundry.Net;

namespace NodeFoundry.Probe;

/// <summary>
/// Sends DHCPDISCOVERs as firmware would and collects every OFFER that answers them during a window, from
/// every server that answers: a client on a segment with two servers sees both, and so does this. It sends
/// DISCOVER only, never REQUEST, so no server commits an address to the probe.
/// <para>
/// Two ways to reach servers: as a relay agent (giaddr = the local address, replies unicast to it on port 67
/// or whatever port the socket has), to one or more servers, the way a relay with several helper addresses
/// forwards; or as a client on an interface (255.255.255.255:67 with the BROADCAST flag, replies to
/// 255.255.255.255:68), which needs SO_BINDTODEVICE so it hears only that segment.
/// </para>
/// </summary>
public sealed class DhcpOfferCollector : IDisposable
{
    /// <summary>Upper bound on datagrams read in one window, so a flood cannot keep the loop going.</summary>
    private const int MaxDatagrams = 4096;


    private readonly Socket _socket;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly IPAddress? _relayAddress;
    private readonly byte[] _buffer = new byte[65536];

    private DhcpOfferCollector(Socket socket, IReadOnlyList<IPEndPoint> servers, IPAddress? relayAddress)
    {
        _socket = socket;
        _servers = servers;
        _relayAddress = relayAddress;
    }

    /// <summary>Where replies arrive.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Relay style: DISCOVERs go to every one of <paramref name="servers"/> with giaddr = <paramref name="local"/>'s address.</summary>
    /// <param name="bind">Makes and binds the socket (e.g. inside a network namespace); null: a plain UDP socket.</param>
    public static DhcpOfferCollector Relay(IReadOnlyList<IPEndPoint> servers, IPEndPoint local, Func<IPEndPoint, Socket>? bind = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(local);
        if (servers.Count == 0)
        {
            throw new ArgumentException("relay style needs at least one server", nameof(servers));
        }

        if (local.Address.Equals(IPAddress.Any))
        {
            throw new ArgumentException("relay style needs a local address to send as giaddr (servers answer to it)", nameof(local));
        }

        var socket = (bind ?? BindPlain)(local);
        return new DhcpOfferCollector(socket, [.. servers], ((IPEndPoint)socket.LocalEndPoint!).Address);
    }

    /// <summary>Client style on <paramref name="interfaceName"/>: broadcast DISCOVERs from port <paramref name="clientPort"/> (68) to <paramref name="serverPort"/> (67).</summary>
    public static DhcpOfferCollector Broadcast(string interfaceName, int serverPort = 67, int clientPort = 68, Func<IPEndPoint, Socket>? bind = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        var socket = (bind ?? BindPlain)(new IPEndPoint(IPAddress.Any, clientPort));
        try
        {
            // Hear (and send on) this segment only: bound to 0.0.0.0 without it, a probe would mix segments.
            // .NET's SetSocketOption refuses SO_BINDTODEVICE; the raw option works (firmware-lab.md).
            socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            socket.EnableBroadcast = true;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new DhcpOfferCollector(socket, [new IPEndPoint(IPAddress.Broadcast, serverPort)], relayAddress: null);
    }

    /// <summary>
    /// Sends every DISCOVER, resends those still unanswered once at half the window (as firmware retransmits),
    /// and returns, per DISCOVER, every OFFER that arrived before <paramref name="window"/> ran out.
    /// </summary>
    public IReadOnlyList<DhcpOfferSet> Collect(IReadOnlyList<DhcpDiscover> discovers, TimeSpan window, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(discovers);
        var pending = discovers.Select(d => (Request: d, Xid: (uint)RandomNumberGenerator.GetInt32(int.MaxValue), Offers: new List<ReceivedOffer>())).ToList();
        var byXid = pending.ToDictionary(p => p.Xid);
        var started = Stopwatch.GetTimestamp();
        foreach (var p in pending)
        {
            Send(p.Request, p.Xid);
        }

        var resent = false;
        for (var datagrams = 0; datagrams < MaxDatagrams && !cancel.IsCancellationRequested; datagrams++)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= window)
            {
                break;
            }

            if (!resent && elapsed >= window / 2)
            {
                resent = true;
                foreach (var p in pending.Where(p => p.Offers.Count == 0))
                {
                    Send(p.Request, p.Xid);
                }
            }

            var until = resent ? window : window / 2;
            var wait = until - elapsed;
            if (!_socket.Poll((int)Math.Clamp(wait.TotalMicroseconds, 1, int.MaxValue), SelectMode.SelectRead))
            {
                continue;
            }

            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int length;
            try
            {
                length = _socket.ReceiveFrom(_buffer, ref from);
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable from a server that is not there: keep listening
            }

            if (DhcpPacket.TryParse(_buffer.AsSpan(0, length), out var reply, out _)
                && reply.Op == DhcpOpCode.BootReply
                && reply.MessageType == DhcpMessageType.Offer
                && byXid.TryGetValue(reply.TransactionId, out var match)
                && reply.MacAddress.Equals(match.Request.MacAddress))
            {
                match.Offers.Add(new ReceivedOffer(reply, (IPEndPoint)from, Stopwatch.GetElapsedTime(started)));
            }
        }

        return [.. pending.Select(p => new DhcpOfferSet(p.Request, p.Offers))];
    }

    private void Send(DhcpDiscover request, uint xid)
    {
        var bytes = Build(request, xid).ToArray();
        foreach (var server in _servers)
        {
            try
            {
                _socket.SendTo(bytes, server);
            }
            catch (SocketException)
            {
                // An unreachable server is the same as a silent one: the check reports no offer.
            }
        }
    }

    private DhcpPacket Build(DhcpDiscover request, uint xid)
    {
        var packet = new DhcpPacket
        {
            Op = DhcpOpCode.BootRequest,
            TransactionId = xid,
            MacAddress = request.MacAddress,
        };
        if (_relayAddress is { } relay)
        {
            packet.GatewayAddress = relay;
            packet.Hops = 1;
        }
        else
        {
            // Not yet configured, the client cannot take unicast (RFC 2131 §4.1): ask for broadcast replies.
            packet.IsBroadcast = true;
        }

        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        packet.Options.SetUInt16(DhcpOptionCode.MaxMessageSize, 1472);
        packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, request.Architecture);
        packet.Options.Set(DhcpOptionCode.ClientNetworkInterface, [1, 3, request.Ipxe ? (byte)10 : (byte)0]);
        packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, request.VendorClass);
        // Option 97: type 0 and an all-zero UUID, what iPXE sends without SMBIOS; servers mirror it back.
        packet.Options.Set(DhcpOptionCode.ClientMachineIdentifier, new byte[17]);
        if (request.Ipxe)
        {
            // iPXE sends the bare string "iPXE" (not RFC 3004 framing) and its feature list in option 175.
            packet.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
            packet.Options.Set(DhcpOptionCode.IpxeEncapsulated, IpxeFeatures(request.Architecture));
        }

        packet.Options.Set(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 12, 15, 28, 43, 60, 66, 67, 97, 128, 175]);
        return packet;
    }

    /// <summary>Option 175 as iPXE 1.21 fills it: HTTP supported, the EFI image format on EFI, and the version.</summary>
    private static byte[] IpxeFeatures(ushort architecture)
    {
        var features = new List<byte> { IpxeOptions.FeatureHttp, 1, 1 };
        if (architecture != 0)
        {
            features.AddRange([IpxeOptions.FeatureEfi, 1, 1]);
        }

        features.AddRange([IpxeOptions.Version, 3, 1, 21, 1]);
        return [.. features];
    }

    private static Socket BindPlain(IPEndPoint local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();
}
