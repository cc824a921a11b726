using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The RAKP proofs and session key derivations of IPMI v2.0 section 13.31-13.32, with the HMAC chosen by the cipher
/// suite's authentication algorithm (HMAC-SHA1 for suite 3, HMAC-SHA256 for suite 17). Pure functions of a
/// <see cref="RakpTranscript"/> and keys; the formulas are spelled out so a reader can check them against the spec.
/// </summary>
public static class RakpCrypto
{
    /// <summary>IPMI v2.0 passwords are up to 20 bytes; the key is the password zero-padded to 20 bytes.</summary>
    public const int PasswordKeyLength = 20;

    /// <summary>
    /// K_UID: the user's password as a 20-byte key. A longer password cannot be represented; the message says so
    /// without repeating it.
    /// </summary>
    public static byte[] PasswordKey(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var bytes = Encoding.UTF8.GetBytes(password);
        if (bytes.Length > PasswordKeyLength)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new ArgumentException($"an IPMI v2.0 password is at most {PasswordKeyLength} bytes", nameof(password));
        }

        var key = new byte[PasswordKeyLength];
        bytes.CopyTo(key, 0);
        CryptographicOperations.ZeroMemory(bytes);
        return key;
    }

    /// <summary>RAKP 2 key exchange auth code: HMAC_KUID(SIDm | SIDc | Rm | Rc | GUIDc | ROLEm | ULENGTHm | UNAMEm).</summary>
    public static byte[] Rakp2AuthCode(IpmiCipherSuite suite, ReadOnlySpan<byte> userKey, RakpTranscript t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var data = new List<byte>(64);
        AddUInt32(data, t.ConsoleSessionId);
        AddUInt32(data, t.BmcSessionId);
        data.AddRange(t.ConsoleRandom);
        data.AddRange(t.BmcRandom);
        data.AddRange(t.BmcGuid);
        AddRoleAndName(data, t);
        return Hmac(suite, userKey, data.ToArray());
    }

    /// <summary>RAKP 3 key exchange auth code: HMAC_KUID(Rc | SIDm | ROLEm | ULENGTHm | UNAMEm).</summary>
    public static byte[] Rakp3AuthCode(IpmiCipherSuite suite, ReadOnlySpan<byte> userKey, RakpTranscript t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var data = new List<byte>(48);
        data.AddRange(t.BmcRandom);
        AddUInt32(data, t.ConsoleSessionId);
        AddRoleAndName(data, t);
        return Hmac(suite, userKey, data.ToArray());
    }

    /// <summary>
    /// SIK, the session integrity key: HMAC_KG(Rm | Rc | ROLEm | ULENGTHm | UNAMEm). K_G is the BMC key when one is
    /// configured, else K_UID (the common case, and ipmi_sim's).
    /// </summary>
    public static byte[] SessionIntegrityKey(IpmiCipherSuite suite, ReadOnlySpan<byte> generatingKey, RakpTranscript t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var data = new List<byte>(56);
        data.AddRange(t.ConsoleRandom);
        data.AddRange(t.BmcRandom);
        AddRoleAndName(data, t);
        return Hmac(suite, generatingKey, data.ToArray());
    }

    /// <summary>RAKP 4 integrity check value: HMAC_SIK(Rm | SIDc | GUIDc), truncated to 12 (SHA1-96) or 16 (SHA256-128) bytes.</summary>
    public static byte[] Rakp4Icv(IpmiCipherSuite suite, ReadOnlySpan<byte> sik, RakpTranscript t)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(t);
        var data = new List<byte>(36);
        data.AddRange(t.ConsoleRandom);
        AddUInt32(data, t.BmcSessionId);
        data.AddRange(t.BmcGuid);
        return Hmac(suite, sik, data.ToArray()).AsSpan(0, suite.Rakp4IcvLength).ToArray();
    }

    /// <summary>
    /// Additional key material Kn = HMAC_SIK(n repeated to the hash length): K1 keys integrity, the first 16 bytes
    /// of K2 key AES-CBC-128.
    /// </summary>
    public static byte[] AdditionalKey(IpmiCipherSuite suite, ReadOnlySpan<byte> sik, byte n)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var constant = new byte[suite.KeyExchangeAuthCodeLength];
        Array.Fill(constant, n);
        return Hmac(suite, sik, constant);
    }

    /// <summary>The suite's RAKP HMAC; empty for RAKP-none (cipher suite 0).</summary>
    public static byte[] Hmac(IpmiCipherSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return suite.Authentication switch
        {
            IpmiAuthenticationAlgorithm.HmacSha1 => HMACSHA1.HashData(key, data),
            IpmiAuthenticationAlgorithm.HmacSha256 => HMACSHA256.HashData(key, data),
            _ => [],
        };
    }

    private static void AddUInt32(List<byte> data, uint value)
    {
        // Session IDs enter the HMACs in wire order (little-endian), exactly as the packets carry them.
        Span<byte> le = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(le, value);
        data.AddRange(le.ToArray());
    }

    private static void AddRoleAndName(List<byte> data, RakpTranscript t)
    {
        data.Add(t.Role);
        data.Add((byte)t.UserName.Length);
        data.AddRange(t.UserName);
    }
}
