using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// Simulated clients behind one DHCP relay: sends as the relay (giaddr = its address, port 67) to the server it
/// currently forwards to, and reads the replies the server unicasts back. Like a relay that fails over, its
/// <see cref="Server"/> can be pointed at another server. One exchange at a time; every wait is bounded.
/// </summary>
internal sealed class RelayDhcpClient(Socket socket, IPEndPoint server) : IDisposable
{
    private readonly IPAddress _relay = ((IPEndPoint)socket.LocalEndPoint!).Address;
    private readonly byte[] _buffer = new byte[65536];

    public IPEndPoint Server { get; set; } = server;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// DISCOVER, OFFER, REQUEST; the ACK (or NAK) or null when a step went unanswered. With <paramref name="boot"/>, the
    /// client says what PXE firmware or iPXE says of itself (options 60, 93, 97, 77).
    /// </summary>
    public DhcpPacket? Bind(PhysicalAddress mac, BootClientIdentity? boot = null)
    {
        var xid = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var offer = Exchange(NewRequest(mac, DhcpMessageType.Discover, xid, boot), mac, xid, DhcpMessageType.Offer);
        if (offer is null || offer.MessageType != DhcpMessageType.Offer)
        {
            return null;
        }

        var request = NewRequest(mac, DhcpMessageType.Request, xid, boot);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, offer.ServerIdentifier!);
        return Exchange(request, mac, xid, DhcpMessageType.Ack);
    }

    /// <summary>A renewing/rebinding REQUEST (ciaddr set, no server identifier, RFC 2131 §4.3.2): the ACK, a NAK, or null.</summary>
    public DhcpPacket? Renew(PhysicalAddress mac, IPAddress address)
    {
        var xid = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var request = NewRequest(mac, DhcpMessageType.Request, xid);
        request.ClientAddress = address;
        return Exchange(request, mac, xid, DhcpMessageType.Ack);
    }

    public void Dispose() => socket.Dispose();

    private DhcpPacket NewRequest(PhysicalAddress mac, DhcpMessageType type, uint xid, BootClientIdentity? boot = null)
    {
        var packet = new DhcpPacket
        {
            Op = DhcpOpCode.BootRequest,
            HardwareType = 1,
            TransactionId = xid,
            GatewayAddress = _relay,
            Hops = 1,
        };
        var bytes = mac.GetAddressBytes();
        packet.HardwareAddressLength = (byte)bytes.Length;
        bytes.CopyTo(packet.ClientHardwareAddress, 0);
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        if (boot is not null)
        {
            packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, $"PXEClient:Arch:{boot.Architecture:D5}:UNDI:003016");
            packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, boot.Architecture);
            packet.Options.Set(DhcpOptionCode.ClientMachineIdentifier, [0, .. boot.Uuid.ToByteArray()]); // type 0, then the GUID as the engine reads it
            if (boot.Ipxe)
            {
                packet.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
            }
        }

        return packet;
    }

    private DhcpPacket? Exchange(DhcpPacket message, PhysicalAddress mac, uint xid, DhcpMessageType expected)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        socket.SendTo(message.ToArray(), Server);
        while (true)
        {
            var remainingMicroseconds = (deadline - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
            if (remainingMicroseconds <= 0 || !socket.Poll((int)Math.Min(remainingMicroseconds, int.MaxValue), SelectMode.SelectRead))
            {
                return null;
            }

            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int length;
            try
            {
                length = socket.ReceiveFrom(_buffer, ref from);
            }
            catch (SocketException)
            {
                continue;
            }

            if (DhcpPacket.TryParse(_buffer.AsSpan(0, length), out var reply, out _)
                && reply.TransactionId == xid
                && reply.MacAddress.Equals(mac)
                && (reply.MessageType == expected || reply.MessageType == DhcpMessageType.Nak))
            {
                return reply;
            }
        }
    }
}
