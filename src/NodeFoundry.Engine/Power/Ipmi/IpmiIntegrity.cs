using System.Security.Cryptography;

namespace NodeFoundry.Power.Ipmi;

/// <summary>Session packet AuthCodes (IPMI v2.0 section 13.28.4): HMAC-SHA1-96 and HMAC-SHA256-128, keyed with K1.</summary>
public static class IpmiIntegrity
{
    /// <summary>AuthCode length for an integrity algorithm.</summary>
    public static int AuthCodeLength(IpmiIntegrityAlgorithm algorithm) => algorithm switch
    {
        IpmiIntegrityAlgorithm.HmacSha1_96 => 12,
        IpmiIntegrityAlgorithm.HmacSha256_128 => 16,
        _ => 0,
    };

    /// <summary>The truncated HMAC of <paramref name="covered"/> (auth type through next header).</summary>
    public static byte[] Compute(IpmiIntegrityAlgorithm algorithm, ReadOnlySpan<byte> k1, ReadOnlySpan<byte> covered) => algorithm switch
    {
        IpmiIntegrityAlgorithm.HmacSha1_96 => HMACSHA1.HashData(k1, covered).AsSpan(0, 12).ToArray(),
        IpmiIntegrityAlgorithm.HmacSha256_128 => HMACSHA256.HashData(k1, covered).AsSpan(0, 16).ToArray(),
        _ => [],
    };
}
