using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>IPv4 addresses as host-order <see cref="uint"/>s, without allocating.</summary>
internal static class Ipv4
{
    /// <summary>Converts an IPv4 (or IPv4-mapped IPv6) address; false for anything else.</summary>
    public static bool TryToUInt32(IPAddress? address, out uint value)
    {
        value = 0;
        if (address is null)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && written == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && written == 16 && address.IsIPv4MappedToIPv6)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
            return true;
        }

        return false;
    }

    public static uint ToUInt32(IPAddress address, string paramName) =>
        TryToUInt32(address, out uint value)
            ? value
            : throw new ArgumentException($"'{address}' is not an IPv4 address.", paramName);

    public static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
