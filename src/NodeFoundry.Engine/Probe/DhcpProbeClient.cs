using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Probe;

/// <summary>
/// A DHCP client that behaves like boot firmware, for probes, the demo, tests and the storm simulator.
/// It talks to the server as a relay agent would (giaddr = its own address, replies come back unicast to
/// its port), so it works over loopback and across namespaces without raw sockets or broadcasts.
/// </summary>
public sealed class DhcpProbeClient : IDisposable
{
    private readonly Socket _socket;
    private readonly IPAddress _relayAddress;
    private readonly byte[] _receiveBuffer = new byte[65536];

    /// <param name="server">The server to ask (address and port).</param>
    /// <param name="local">Where to listen for replies; its address is sent as giaddr, so the server answers there.</param>
    public DhcpProbeClient(IPEndPoint server, IPEndPoint local)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(local);
        Server = server;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(local);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _relayAddress = LocalEndPoint.Address;
    }

    /// <summary>Uses a socket already bound (e.g. inside a test's network namespace); the client owns it from now on.</summary>
    public DhcpProbeClient(Socket boundSocket, IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(boundSocket);
        ArgumentNullException.ThrowIfNull(server);
        Server = server;
        _socket = boundSocket;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _relayAddress = LocalEndPoint.Address;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The server asked; settable so a client can be bound before the server's port is known.</summary>
    public IPEndPoint Server { get; set; }

    /// <summary>How long to wait for each answer before giving up (firmware waits ~4 s before its first retransmit).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    public DhcpProbeResult Probe(DhcpProbeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var watch = Stopwatch.StartNew();
        var xid = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var discover = NewRequest(request, DhcpMessageType.Discover, xid);
        var offer = Exchange(discover, DhcpMessageType.Offer, xid, request);
        if (offer is null)
        {
            return new DhcpProbeResult(request, null, null, watch.Elapsed, $"no OFFER within {Timeout.TotalSeconds:0.#} s");
        }

        if (!request.CompleteLease || offer.YourAddress.Equals(IPAddress.Any))
        {
            return new DhcpProbeResult(request, offer, null, watch.Elapsed, null);
        }

        var req = NewRequest(request, DhcpMessageType.Request, xid);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        if (offer.ServerIdentifier is { } serverId)
        {
            req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, serverId);
        }

        var ack = Exchange(req, DhcpMessageType.Ack, xid, request);
        if (ack is null)
        {
            return new DhcpProbeResult(request, offer, null, watch.Elapsed, $"no ACK within {Timeout.TotalSeconds:0.#} s");
        }

        if (ack.MessageType == DhcpMessageType.Ack && request.ReleaseAfter)
        {
            var release = NewRequest(request, DhcpMessageType.Release, xid);
            release.ClientAddress = ack.YourAddress;
            if (ack.ServerIdentifier is { } id)
            {
                release.Options.SetAddress(DhcpOptionCode.ServerIdentifier, id);
            }

            _socket.SendTo(release.ToArray(), Server);
        }

        var reason = ack.Options.Get(DhcpOptionCode.Message) is { } m ? System.Text.Encoding.ASCII.GetString(m.Span) : "no reason given";
        var failure = ack.MessageType == DhcpMessageType.Ack ? null : $"NAK: {reason}";
        return new DhcpProbeResult(request, offer, ack, watch.Elapsed, failure);
    }

    private DhcpPacket NewRequest(DhcpProbeRequest request, DhcpMessageType type, uint xid)
    {
        var packet = new DhcpPacket
        {
            Op = DhcpOpCode.BootRequest,
            HardwareType = 1,
            TransactionId = xid,
            GatewayAddress = _relayAddress,
            Hops = 1,
        };
        var mac = request.MacAddress.GetAddressBytes();
        packet.HardwareAddressLength = (byte)mac.Length;
        mac.CopyTo(packet.ClientHardwareAddress, 0);
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        if (request.Architecture is { } arch)
        {
            packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, arch);
            packet.Options.Set(DhcpOptionCode.ClientNetworkInterface, [1, 3, 0]);
        }

        if (request.VendorClass is { } vendorClass)
        {
            packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, vendorClass);
        }

        if (request.Ipxe)
        {
            // What iPXE really sends: the bare string, not RFC 3004 framing.
            packet.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
        }

        if (request.Uuid is { } uuid)
        {
            var bytes = new byte[17];
            uuid.TryWriteBytes(bytes.AsSpan(1));
            packet.Options.Set(DhcpOptionCode.ClientMachineIdentifier, bytes);
        }

        if (request.HostName is { } hostName)
        {
            packet.Options.SetString(DhcpOptionCode.HostName, hostName);
        }

        packet.Options.SetUInt16(DhcpOptionCode.MaxMessageSize, 1472);
        packet.Options.Set(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 12, 15, 28, 43, 60, 66, 67, 97, 175]);
        return packet;
    }

    private DhcpPacket? Exchange(DhcpPacket message, DhcpMessageType expected, uint xid, DhcpProbeRequest request)
    {
        var bytes = message.ToArray();
        var deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        _socket.SendTo(bytes, Server);
        while (true)
        {
            var remaining = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (remaining <= 0 || !_socket.Poll((int)Math.Min(remaining * 1000, int.MaxValue), SelectMode.SelectRead))
            {
                return null;
            }

            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int length;
            try
            {
                length = _socket.ReceiveFrom(_receiveBuffer, ref from);
            }
            catch (SocketException)
            {
                continue;
            }

            if (!DhcpPacket.TryParse(_receiveBuffer.AsSpan(0, length), out var reply, out _)
                || reply.Op != DhcpOpCode.BootReply
                || reply.TransactionId != xid
                || !reply.MacAddress.Equals(request.MacAddress))
            {
                continue;
            }

            if (reply.MessageType == expected || reply.MessageType == DhcpMessageType.Nak)
            {
                return reply;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
