using System.Text;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>
/// Cipher suite 17 (RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128), which ipmi_sim does not offer, proved by known
/// answers. The expected values were computed outside .NET (Python's hmac/hashlib and the cryptography package's
/// AES-CBC) from the spec's formulas with the fixed inputs below:
///   K_UID = "NodeFoundry-17" zero-padded to 20; SIDm 11223344h; SIDc 55667788h (both LE on the wire);
///   Rm = 00..0F; Rc = 10..1F; GUIDc = 20..2F; ROLEm 14h; UNAME "admin"
///   RAKP2 = HMAC(K_UID, SIDm|SIDc|Rm|Rc|GUIDc|ROLEm|ULEN|UNAME)   RAKP3 = HMAC(K_UID, Rc|SIDm|ROLEm|ULEN|UNAME)
///   SIK = HMAC(K_UID, Rm|Rc|ROLEm|ULEN|UNAME)   ICV = HMAC(SIK, Rm|SIDc|GUIDc)[0..16]   Kn = HMAC(SIK, n × 32)
/// </summary>
public sealed class CipherSuite17KnownAnswerTests
{
    private static readonly IpmiCipherSuite Suite = IpmiCipherSuite.Suite17;

    [Fact]
    public void Rakp2_auth_code() =>
        Assert.Equal("93546F76EDF01B2FA48E9CF2B226AD9D44AA4382D3C8F1BDA429435CF8954627", Hex(RakpCrypto.Rakp2AuthCode(Suite, UserKey(), Transcript())));

    [Fact]
    public void Rakp3_auth_code() =>
        Assert.Equal("1DAC0AFDCCC49D0303444D03387DEC242101174DE93BC2BC4B5C183CD09B8BA5", Hex(RakpCrypto.Rakp3AuthCode(Suite, UserKey(), Transcript())));

    [Fact]
    public void Session_integrity_key_and_additional_keys()
    {
        var keys = IpmiSessionKeys.Derive(Suite, UserKey(), Transcript());

        Assert.Equal("B0D1D3F6CC3699D7BC26D5EE12BA99E2A13544AE95F08AD0EE78A08016C1330B", Hex(keys.Sik));
        Assert.Equal("8CD38967C61127B04BADF7CE69FB31109A1EE76DB791370904A2042DCD0B64F6", Hex(keys.K1));
        Assert.Equal("C6E463B31CCE32C6138BA72A10C334ACDE7919E5C24C945B64EDB32D59BDA0C9", Hex(keys.K2));
        Assert.Equal("C6E463B31CCE32C6138BA72A10C334AC", Hex(keys.AesKey.ToArray()));
    }

    [Fact]
    public void Rakp4_icv_is_hmac_sha256_truncated_to_128_bits()
    {
        var keys = IpmiSessionKeys.Derive(Suite, UserKey(), Transcript());

        Assert.Equal("F85712FE2414359FE44F6E26A7B7CCD6", Hex(RakpCrypto.Rakp4Icv(Suite, keys.Sik, Transcript())));
    }

    [Fact]
    public void Encrypted_authenticated_session_packet()
    {
        // Set Session Privilege Level (Administrator) with IV 30..3F, sent to SIDc with session sequence 1: AES pad
        // 01..07 + pad length 07 fills one block; trailer pads FF FF so auth type..next header is 44 bytes.
        var keys = IpmiSessionKeys.Derive(Suite, UserKey(), Transcript());
        var iv = Enumerable.Range(0x30, 16).Select(i => (byte)i).ToArray();
        var message = Convert.FromHexString("2018C881043B043C");
        var encrypted = AesCbc128Payload.Encrypt(message, keys.AesKey, iv);
        var packet = new RmcpPlusPacket(IpmiPayloadType.IpmiMessage, true, true, 0x55667788, 1, encrypted).Encode(IpmiIntegrityAlgorithm.HmacSha256_128, keys.K1);

        Assert.Equal(
            "0600FF07" + "06" + "C0" + "88776655" + "01000000" + "2000"
            + "303132333435363738393A3B3C3D3E3F" + "B2A18C0603C80BDB7ACC111D13B3742E"
            + "FFFF" + "02" + "07"
            + "7C997A6CB5AC473C20577D3FE3C5DD11",
            Hex(packet));
        Assert.True(RmcpPlusPacket.TryParse(packet, IpmiIntegrityAlgorithm.HmacSha256_128, keys.K1, out var parsed, out var error), error);
        Assert.True(AesCbc128Payload.TryDecrypt(parsed.Payload, keys.AesKey, out var plain, out error), error);
        Assert.Equal(message, plain);
    }

    private static byte[] UserKey() => RakpCrypto.PasswordKey("NodeFoundry-17");

    private static RakpTranscript Transcript() => new(
        0x11223344,
        0x55667788,
        Enumerable.Range(0x00, 16).Select(i => (byte)i).ToArray(),
        Enumerable.Range(0x10, 16).Select(i => (byte)i).ToArray(),
        Enumerable.Range(0x20, 16).Select(i => (byte)i).ToArray(),
        0x14,
        Encoding.ASCII.GetBytes("admin"));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}
