namespace NodeFoundry.Power.Ipmi;

/// <summary>RAKP authentication algorithms (IPMI v2.0 table 13-17).</summary>
public enum IpmiAuthenticationAlgorithm : byte
{
    /// <summary>RAKP-none: no password proof at all (cipher suite 0).</summary>
    None = 0x00,

    /// <summary>RAKP-HMAC-SHA1.</summary>
    HmacSha1 = 0x01,

    /// <summary>RAKP-HMAC-SHA256 (IPMI v2.0 errata / cipher suite 17).</summary>
    HmacSha256 = 0x03,
}
