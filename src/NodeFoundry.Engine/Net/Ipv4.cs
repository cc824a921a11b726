using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Net;

/// <summary>IPv4 addresses as host-order <see cref="uint"/>s (no allocation on the lease hot path), masks and strict parsing.</summary>
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

    public static uint ToUInt32(IPAddress address, string paramName = "address") =>
        TryToUInt32(address, out uint value)
            ? value
            : throw new ArgumentException($"'{address}' is not an IPv4 address.", paramName);

    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    public static IPAddress NetworkAddress(IPNetwork network) => network.BaseAddress;

    public static IPAddress Broadcast(IPNetwork network) =>
        FromUInt32(ToUInt32(network.BaseAddress) | ~Mask(network.PrefixLength));

    /// <summary>
    /// Strict dotted-quad parser: exactly four decimal parts 0-255, no leading zeros. Unlike
    /// <see cref="IPAddress.TryParse(string, out IPAddress)"/> it refuses "10.1" or "1" (legal inet_aton shorthands no
    /// operator means in a config file).
    /// </summary>
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < 4; i++)
        {
            string part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            int value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }
}
