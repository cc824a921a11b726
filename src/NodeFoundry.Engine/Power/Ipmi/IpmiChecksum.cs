namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The IPMI message checksum (IPMI v2.0 section 13.8): the two's complement of the 8-bit sum of the covered bytes, so
/// that covered bytes plus checksum sum to zero modulo 256.
/// </summary>
public static class IpmiChecksum
{
    /// <summary>Computes the checksum of <paramref name="bytes"/>.</summary>
    public static byte Compute(ReadOnlySpan<byte> bytes)
    {
        var sum = 0;
        foreach (var b in bytes)
        {
            sum = (sum + b) & 0xFF;
        }

        return (byte)((0x100 - sum) & 0xFF);
    }

    /// <summary>True when <paramref name="bytesWithChecksum"/> (covered bytes followed by their checksum) sums to zero.</summary>
    public static bool IsValid(ReadOnlySpan<byte> bytesWithChecksum)
    {
        var sum = 0;
        foreach (var b in bytesWithChecksum)
        {
            sum = (sum + b) & 0xFF;
        }

        return sum == 0;
    }
}
