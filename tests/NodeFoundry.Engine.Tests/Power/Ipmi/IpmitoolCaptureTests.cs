using System.Text;
using NodeFoundry.Power.Ipmi;
using static NodeFoundry.Tests.Power.Ipmi.IpmitoolCipher3Capture;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>
/// Cipher suite 3 checked byte for byte against ipmitool talking to ipmi_sim (<see cref="IpmitoolCipher3Capture"/>):
/// our encoders must produce ipmitool's bytes from the same inputs, and our key math must reproduce the BMC's and
/// ipmitool's proofs and decrypt/re-encrypt their session traffic exactly.
/// </summary>
public sealed class IpmitoolCaptureTests
{
    private const uint ConsoleSessionId = 0xA0A2A3A4; // "a4a3a2a0" on the wire (LE), ipmitool's SIDm
    private const uint BmcSessionId = 0x00000682;     // "82060000" on the wire, ipmi_sim's SIDc

    [Fact]
    public void Get_channel_auth_capabilities_request_matches_ipmitool()
    {
        var message = new IpmiRequest(IpmiNetFn.Application, IpmiCommands.GetChannelAuthenticationCapabilities, 0, ChannelAuthenticationCapabilities.RequestData(IpmiPrivilegeLevel.Administrator)).Encode();

        Assert.Equal(Frame(1), Ipmi15SessionWrapper.Encode(message));
    }

    [Fact]
    public void Get_channel_auth_capabilities_response_from_ipmi_sim_parses()
    {
        Assert.True(Ipmi15SessionWrapper.TryDecode(Frame(2), out var message, out var error), error);
        Assert.True(IpmiResponse.TryParse(message, out var response, out error), error);
        Assert.Equal(IpmiCompletionCode.Success, response.CompletionCode);
        Assert.Equal(0x07, response.NetFn);
        Assert.True(ChannelAuthenticationCapabilities.TryParse(response.Data, out var caps, out error), error);
        Assert.Equal(1, caps.Channel);
        Assert.True(caps.SupportsIpmi20);
        Assert.False(caps.KgSet);
    }

    [Fact]
    public void Open_session_request_matches_ipmitool()
    {
        // ipmitool asks for maximum privilege 0 ("highest the algorithms allow"); the payload is otherwise the suite.
        var payload = new OpenSessionRequest(0, 0, ConsoleSessionId, IpmiCipherSuite.Suite3).Encode();
        var packet = new RmcpPlusPacket(IpmiPayloadType.OpenSessionRequest, false, false, 0, 0, payload).Encode();

        Assert.Equal(Frame(3), packet);
    }

    [Fact]
    public void Open_session_response_from_ipmi_sim_parses()
    {
        var response = ParseOpenSessionResponse();

        Assert.Equal(RakpStatusCode.NoErrors, response.Status);
        Assert.Equal(0, response.MaximumPrivilege); // ipmi_sim echoes the requested 0
        Assert.Equal(ConsoleSessionId, response.ConsoleSessionId);
        Assert.Equal(BmcSessionId, response.BmcSessionId);
        Assert.Equal((byte)IpmiAuthenticationAlgorithm.HmacSha1, response.Authentication);
        Assert.Equal((byte)IpmiIntegrityAlgorithm.HmacSha1_96, response.Integrity);
        Assert.Equal((byte)IpmiConfidentialityAlgorithm.AesCbc128, response.Confidentiality);
    }

    [Fact]
    public void Rakp1_matches_ipmitool()
    {
        var transcript = Transcript();
        var payload = new Rakp1Message(0, BmcSessionId, transcript.ConsoleRandom, 0x14, Encoding.ASCII.GetBytes(UserName)).Encode();

        Assert.Equal(Frame(5), new RmcpPlusPacket(IpmiPayloadType.Rakp1, false, false, 0, 0, payload).Encode());
    }

    [Fact]
    public void Rakp2_auth_code_from_ipmi_sim_is_reproduced_from_the_password()
    {
        var rakp2 = ParseRakp2();

        Assert.Equal(rakp2.AuthCode, RakpCrypto.Rakp2AuthCode(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript()));
        Assert.NotEqual(rakp2.AuthCode, RakpCrypto.Rakp2AuthCode(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey("s3cret-Px"), Transcript()));
    }

    [Fact]
    public void Rakp3_matches_ipmitool()
    {
        var code = RakpCrypto.Rakp3AuthCode(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript());
        var payload = new Rakp3Message(0, RakpStatusCode.NoErrors, BmcSessionId, code).Encode();

        Assert.Equal(Frame(7), new RmcpPlusPacket(IpmiPayloadType.Rakp3, false, false, 0, 0, payload).Encode());
    }

    [Fact]
    public void Rakp4_icv_from_ipmi_sim_is_reproduced_from_the_session_integrity_key()
    {
        Assert.True(RmcpPlusPacket.TryParse(Frame(8), IpmiIntegrityAlgorithm.None, default, out var packet, out var error), error);
        Assert.True(Rakp4Message.TryParse(packet.Payload, out var rakp4, out error), error);
        var keys = IpmiSessionKeys.Derive(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript());

        Assert.Equal(ConsoleSessionId, rakp4.ConsoleSessionId);
        Assert.Equal(rakp4.IntegrityCheckValue, RakpCrypto.Rakp4Icv(IpmiCipherSuite.Suite3, keys.Sik, Transcript()));
    }

    [Fact]
    public void First_session_packet_decrypts_to_set_session_privilege_and_re_encrypts_to_ipmitools_bytes()
    {
        var keys = IpmiSessionKeys.Derive(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript());
        var frame = Frame(9);
        Assert.True(RmcpPlusPacket.TryParse(frame, IpmiIntegrityAlgorithm.HmacSha1_96, keys.K1, out var packet, out var error), error);
        Assert.True(packet.Encrypted && packet.Authenticated);
        Assert.Equal(BmcSessionId, packet.SessionId);
        Assert.True(AesCbc128Payload.TryDecrypt(packet.Payload, keys.AesKey, out var plain, out error), error);

        // ipmitool's first request: Set Session Privilege Level (App 3Bh) to Administrator, rqSeq 1.
        var request = new IpmiRequest(IpmiNetFn.Application, IpmiCommands.SetSessionPrivilegeLevel, 1, [(byte)IpmiPrivilegeLevel.Administrator]);
        Assert.Equal(request.Encode(), plain);

        // Same IV (the capture carries it), same keys, same sequence: our encoder must produce ipmitool's datagram.
        var encrypted = AesCbc128Payload.Encrypt(plain, keys.AesKey, packet.Payload.AsSpan(0, 16));
        var ours = new RmcpPlusPacket(IpmiPayloadType.IpmiMessage, true, true, BmcSessionId, packet.SessionSequence, encrypted).Encode(IpmiIntegrityAlgorithm.HmacSha1_96, keys.K1);
        Assert.Equal(frame, ours);
    }

    [Fact]
    public void Every_session_packet_in_the_capture_verifies_and_decrypts()
    {
        var keys = IpmiSessionKeys.Derive(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript());
        var commands = new List<string>();
        for (var number = 9; number <= Frames.Length; number++)
        {
            Assert.True(RmcpPlusPacket.TryParse(Frame(number), IpmiIntegrityAlgorithm.HmacSha1_96, keys.K1, out var packet, out var error), $"frame {number}: {error}");
            Assert.True(AesCbc128Payload.TryDecrypt(packet.Payload, keys.AesKey, out var plain, out error), $"frame {number}: {error}");
            if (number % 2 == 0)
            {
                Assert.True(IpmiResponse.TryParse(plain, out var response, out error), $"frame {number}: {error}");
                commands.Add($"< {response.NetFn:X2}/{response.Command:X2} cc {response.CompletionCode:X2}");
            }
            else
            {
                commands.Add($"> {plain[1] >> 2:X2}/{plain[5]:X2} {Convert.ToHexString(plain.AsSpan(6, plain.Length - 7))}");
            }
        }

        // What `chassis bootdev pxe` does (and so what NodeFoundry mirrors): raise privilege; set-in-progress (ipmi_sim
        // refuses parameter 0 with CCh and ipmitool carries on); clear the BIOS boot-info acknowledge; write boot flags
        // "valid, next boot, legacy, PXE"; close the session. (2C/3E and 2C/00 are ipmitool's DCMI/PICMG probes.)
        Assert.Contains("> 06/3B 04", commands);
        Assert.Contains("> 00/08 0001", commands);
        Assert.Contains("< 01/08 cc CC", commands);
        Assert.Contains("> 00/08 040101", commands);
        Assert.Contains("> 00/08 " + Convert.ToHexString(SystemBootOptions.SetRequest(BootFlags.ParameterSelector, BootFlags.From(new(NodeFoundry.Power.BootDevice.Pxe, Uefi: false)).Encode())), commands);
        Assert.Equal("> 06/3C 82060000", commands[^2]);
        Assert.Equal("< 07/3C cc 00", commands[^1]);
    }

    [Fact]
    public void A_flipped_bit_fails_the_integrity_check()
    {
        var keys = IpmiSessionKeys.Derive(IpmiCipherSuite.Suite3, RakpCrypto.PasswordKey(Password), Transcript());
        var frame = Frame(10);
        frame[20] ^= 0x01;

        Assert.False(RmcpPlusPacket.TryParse(frame, IpmiIntegrityAlgorithm.HmacSha1_96, keys.K1, out _, out var error));
        Assert.Contains("AuthCode", error, StringComparison.Ordinal);
    }

    private static OpenSessionResponse ParseOpenSessionResponse()
    {
        Assert.True(RmcpPlusPacket.TryParse(Frame(4), IpmiIntegrityAlgorithm.None, default, out var packet, out var error), error);
        Assert.Equal(IpmiPayloadType.OpenSessionResponse, packet.PayloadType);
        Assert.True(OpenSessionResponse.TryParse(packet.Payload, out var response, out error), error);
        return response;
    }

    private static Rakp2Message ParseRakp2()
    {
        Assert.True(RmcpPlusPacket.TryParse(Frame(6), IpmiIntegrityAlgorithm.None, default, out var packet, out var error), error);
        Assert.Equal(IpmiPayloadType.Rakp2, packet.PayloadType);
        Assert.True(Rakp2Message.TryParse(packet.Payload, out var rakp2, out error), error);
        Assert.Equal(RakpStatusCode.NoErrors, rakp2.Status);
        return rakp2;
    }

    private static RakpTranscript Transcript()
    {
        var rakp1 = Frame(5).AsSpan(16);
        var rakp2 = ParseRakp2();
        return new RakpTranscript(ConsoleSessionId, BmcSessionId, rakp1.Slice(8, 16).ToArray(), rakp2.BmcRandom, rakp2.BmcGuid, rakp1[24], Encoding.ASCII.GetBytes(UserName));
    }
}
