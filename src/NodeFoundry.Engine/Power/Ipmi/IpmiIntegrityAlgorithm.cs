namespace NodeFoundry.Power.Ipmi;

/// <summary>Session integrity algorithms (IPMI v2.0 table 13-18).</summary>
public enum IpmiIntegrityAlgorithm : byte
{
    /// <summary>No AuthCode on session packets.</summary>
    None = 0x00,

    /// <summary>HMAC-SHA1 keyed with K1, truncated to 96 bits (12 bytes).</summary>
    HmacSha1_96 = 0x01,

    /// <summary>HMAC-SHA256 keyed with K1, truncated to 128 bits (16 bytes).</summary>
    HmacSha256_128 = 0x04,
}
