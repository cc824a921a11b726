namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// A cipher suite (IPMI v2.0 table 22-19): the authentication, integrity and confidentiality algorithms a session
/// proposes in Open Session. NodeFoundry speaks 17 (SHA-256) by preference, 3 (SHA-1) as fallback, and 0 (no
/// security at all) only when a caller forces it.
/// </summary>
public sealed record IpmiCipherSuite(int Id, IpmiAuthenticationAlgorithm Authentication, IpmiIntegrityAlgorithm Integrity, IpmiConfidentialityAlgorithm Confidentiality)
{
    /// <summary>No authentication, integrity or encryption: anyone on the wire can drive the BMC.</summary>
    public static IpmiCipherSuite Suite0 { get; } = new(0, IpmiAuthenticationAlgorithm.None, IpmiIntegrityAlgorithm.None, IpmiConfidentialityAlgorithm.None);

    /// <summary>RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128 (what every lanplus BMC offers, and ipmi_sim's only suite).</summary>
    public static IpmiCipherSuite Suite3 { get; } = new(3, IpmiAuthenticationAlgorithm.HmacSha1, IpmiIntegrityAlgorithm.HmacSha1_96, IpmiConfidentialityAlgorithm.AesCbc128);

    /// <summary>RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128.</summary>
    public static IpmiCipherSuite Suite17 { get; } = new(17, IpmiAuthenticationAlgorithm.HmacSha256, IpmiIntegrityAlgorithm.HmacSha256_128, IpmiConfidentialityAlgorithm.AesCbc128);

    /// <summary>Looks up a suite NodeFoundry implements.</summary>
    public static IpmiCipherSuite? FromId(int id) => id switch
    {
        0 => Suite0,
        3 => Suite3,
        17 => Suite17,
        _ => null,
    };

    /// <summary>Length of the RAKP 2/3 key exchange auth codes (the full HMAC).</summary>
    public int KeyExchangeAuthCodeLength => Authentication switch
    {
        IpmiAuthenticationAlgorithm.HmacSha1 => 20,
        IpmiAuthenticationAlgorithm.HmacSha256 => 32,
        _ => 0,
    };

    /// <summary>Length of the RAKP 4 integrity check value (SHA1-96 or SHA256-128 truncation).</summary>
    public int Rakp4IcvLength => Authentication switch
    {
        IpmiAuthenticationAlgorithm.HmacSha1 => 12,
        IpmiAuthenticationAlgorithm.HmacSha256 => 16,
        _ => 0,
    };

    /// <summary>Length of a session packet's AuthCode.</summary>
    public int AuthCodeLength => Integrity switch
    {
        IpmiIntegrityAlgorithm.HmacSha1_96 => 12,
        IpmiIntegrityAlgorithm.HmacSha256_128 => 16,
        _ => 0,
    };

    /// <inheritdoc />
    public override string ToString() => $"cipher suite {Id} ({Authentication}, {Integrity}, {Confidentiality})";
}
