namespace NodeFoundry.Power.Ipmi;

/// <summary>Session confidentiality algorithms (IPMI v2.0 table 13-19).</summary>
public enum IpmiConfidentialityAlgorithm : byte
{
    /// <summary>Payloads in clear.</summary>
    None = 0x00,

    /// <summary>AES-CBC-128 keyed with the first 16 bytes of K2, random IV per packet.</summary>
    AesCbc128 = 0x01,
}
