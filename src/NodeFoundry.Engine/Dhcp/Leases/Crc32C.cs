using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum on every lease journal record.
/// Uses the SSE4.2 / ARMv8 CRC32C instructions when present, a 256-entry table otherwise.
/// Check value: CRC-32C("123456789") = 0xE3069283.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong crc = 0xFFFFFFFFu;
            while (data.Length >= 8)
            {
                crc = Sse42.X64.Crc32(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            uint c = (uint)crc;
            foreach (byte b in data)
            {
                c = Sse42.Crc32(c, b);
            }

            return ~c;
        }

        if (Crc32.Arm64.IsSupported)
        {
            uint c = 0xFFFFFFFFu;
            while (data.Length >= 8)
            {
                c = Crc32.Arm64.ComputeCrc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            foreach (byte b in data)
            {
                c = Crc32.ComputeCrc32C(c, b);
            }

            return ~c;
        }

        return ComputeSoftware(data);
    }

    /// <summary>Table-driven reference implementation (also used by tests to check the hardware path).</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
