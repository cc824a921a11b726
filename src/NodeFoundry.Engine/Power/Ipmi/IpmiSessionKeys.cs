using System.Security.Cryptography;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The keys an established RMCP+ session uses: SIK (proved by RAKP 4), K1 (integrity AuthCodes) and K2 (its first 16
/// bytes are the AES-CBC-128 key). Internal to the engine (and its tests); ToString never shows them.
/// </summary>
public sealed class IpmiSessionKeys
{
    private IpmiSessionKeys(IpmiCipherSuite suite, byte[] sik, byte[] k1, byte[] k2)
    {
        Suite = suite;
        Sik = sik;
        K1 = k1;
        K2 = k2;
    }

    /// <summary>The negotiated cipher suite.</summary>
    public IpmiCipherSuite Suite { get; }

    /// <summary>Session integrity key.</summary>
    internal byte[] Sik { get; }

    /// <summary>K1 = HMAC_SIK(01h × hash length).</summary>
    internal byte[] K1 { get; }

    /// <summary>K2 = HMAC_SIK(02h × hash length).</summary>
    internal byte[] K2 { get; }

    /// <summary>The AES-128 key: K2's first 16 bytes.</summary>
    internal ReadOnlySpan<byte> AesKey => K2.AsSpan(0, Math.Min(16, K2.Length));

    /// <summary>Derives SIK, K1 and K2 from the RAKP transcript and K_G.</summary>
    public static IpmiSessionKeys Derive(IpmiCipherSuite suite, ReadOnlySpan<byte> generatingKey, RakpTranscript transcript)
    {
        var sik = RakpCrypto.SessionIntegrityKey(suite, generatingKey, transcript);
        return new IpmiSessionKeys(suite, sik, RakpCrypto.AdditionalKey(suite, sik, 0x01), RakpCrypto.AdditionalKey(suite, sik, 0x02));
    }

    /// <summary>Overwrites the key bytes (at session close).</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(Sik);
        CryptographicOperations.ZeroMemory(K1);
        CryptographicOperations.ZeroMemory(K2);
    }

    /// <inheritdoc />
    public override string ToString() => $"session keys for {Suite} (hidden)";
}
