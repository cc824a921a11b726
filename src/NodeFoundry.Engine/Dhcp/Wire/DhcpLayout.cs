using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// Where each field of the fixed BOOTP header sits (RFC 2131 figure 1), plus the IPv4 address
/// conversions the header and the options share. Kept in one place so parser and writer cannot
/// disagree about an offset.
/// </summary>
internal static class DhcpLayout
{
    public const int Op = 0;
    public const int HardwareType = 1;
    public const int HardwareAddressLength = 2;
    public const int Hops = 3;
    public const int TransactionId = 4;
    public const int Seconds = 8;
    public const int Flags = 10;
    public const int ClientAddress = 12;
    public const int YourAddress = 16;
    public const int ServerAddress = 20;
    public const int GatewayAddress = 24;
    public const int ClientHardwareAddress = 28;
    public const int ClientHardwareAddressLength = 16;
    public const int ServerName = 44;
    public const int ServerNameLength = 64;
    public const int File = 108;
    public const int FileLength = 128;
    public const int MagicCookie = 236;
    public const int Options = 240;

    /// <summary>99.130.83.99: distinguishes DHCP from plain BOOTP vendor data (RFC 2131 §3).</summary>
    public const uint MagicCookieValue = 0x63825363;

    /// <summary>BOOTP relays and old clients drop anything shorter than the 300-byte BOOTP message (RFC 951, RFC 1542 §2.1).</summary>
    public const int BootpMinimumLength = 300;

    /// <summary>IPv4 header without options (20) plus UDP header (8).</summary>
    public const int IpAndUdpHeaderLength = 28;

    /// <summary>Every DHCP client must accept a 576-byte IP datagram (RFC 2131 §2, RFC 2132 §9.10).</summary>
    public const int MinimumMaxMessageSize = 576;

    /// <summary>Largest IPv4 datagram.</summary>
    public const int MaximumMaxMessageSize = 65535;

    /// <summary>Option 52 flags (RFC 2132 §9.3).</summary>
    public const byte OverloadFile = 1;
    public const byte OverloadServerName = 2;

    public const ushort BroadcastFlag = 0x8000;

    /// <summary>Header address field value to <see cref="IPAddress"/>; zero is the shared <see cref="IPAddress.Any"/>.</summary>
    public static IPAddress ToAddress(uint value)
    {
        if (value == 0)
        {
            return IPAddress.Any;
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>An IPv4 (or IPv4-mapped IPv6) address as the big-endian integer the wire carries.</summary>
    public static uint ToUInt32(IPAddress address, string paramName)
    {
        ArgumentNullException.ThrowIfNull(address, paramName);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"DHCPv4 carries IPv4 addresses only, not {address}.", paramName);
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
