using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>Golden bytes and malformed input for the IPMI wire formats the capture does not cover.</summary>
public sealed class IpmiWireFormatTests
{
    [Fact]
    public void Chassis_control_request_bytes()
    {
        var bytes = new IpmiRequest(IpmiNetFn.Chassis, IpmiCommands.ChassisControl, 5, [ChassisControlCode.For(PowerAction.Cycle)]).Encode();

        Assert.Equal(
            new byte[]
            {
                0x20,       // rsAddr: the BMC
                0x00,       // netFn chassis (00h) << 2 | rsLUN 0
                0xE0,       // checksum 1: 20h + 00h + E0h = 0 mod 256
                0x81,       // rqAddr: remote console software ID
                0x14,       // rqSeq 5 << 2 | rqLUN 0
                0x02,       // Chassis Control
                0x02,       // power cycle
                0x67,       // checksum 2 over 81h 14h 02h 02h
            },
            bytes);
    }

    [Theory]
    [InlineData(PowerAction.Off, 0x00)]
    [InlineData(PowerAction.On, 0x01)]
    [InlineData(PowerAction.Cycle, 0x02)]
    [InlineData(PowerAction.Reset, 0x03)]
    [InlineData(PowerAction.SoftOff, 0x05)]
    public void Chassis_control_codes(PowerAction action, byte code) => Assert.Equal(code, ChassisControlCode.For(action));

    [Theory]
    [InlineData(BootDevice.Pxe, true, false, "A004000000")]  // valid, next boot, EFI, PXE
    [InlineData(BootDevice.Pxe, false, false, "8004000000")] // what ipmitool's `bootdev pxe` writes
    [InlineData(BootDevice.Disk, false, true, "C008000000")] // valid, persistent, legacy, disk
    [InlineData(BootDevice.BiosSetup, true, false, "A018000000")]
    [InlineData(BootDevice.None, true, true, "0000000000")]   // no override: flags not valid
    public void Boot_flags_bytes(BootDevice device, bool uefi, bool persistent, string hex)
    {
        var flags = BootFlags.From(new BootOverride(device, uefi, persistent));

        Assert.Equal(hex, Convert.ToHexString(flags.Encode()));
        Assert.True(BootFlags.TryParse(flags.Encode(), out var parsed, out var error), error);
        Assert.Equal(device == BootDevice.None ? new BootOverride(BootDevice.None, false, false) : new BootOverride(device, uefi, persistent), parsed.ToBootOverride());
    }

    [Fact]
    public void Boot_flags_not_marked_valid_mean_no_override_even_with_a_device_selector()
    {
        // ipmi_sim answers parameter 5 as 00 04 00 00 00 after `bootdev pxe`: a PXE selector without the valid bit.
        Assert.True(BootFlags.TryParse(Convert.FromHexString("0004000000"), out var flags, out var error), error);

        Assert.Equal(BootFlags.SelectorPxe, flags.DeviceSelector);
        Assert.Equal(BootDevice.None, flags.ToBootOverride().Device);
    }

    [Fact]
    public void Uefi_http_boot_has_no_ipmi_selector() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BootFlags.From(new BootOverride(BootDevice.UefiHttp)));

    [Fact]
    public void Get_system_boot_options_answer()
    {
        // version 01h, parameter 5 (valid/unlocked), then the 5 flag bytes
        Assert.True(SystemBootOptions.TryParseGet(Convert.FromHexString("0105C008000000"), BootFlags.ParameterSelector, out var data, out var error), error);
        Assert.Equal("C008000000", Convert.ToHexString(data));
        Assert.False(SystemBootOptions.TryParseGet(Convert.FromHexString("0104C008000000"), BootFlags.ParameterSelector, out _, out error));
        Assert.Contains("parameter 4", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01000000", true)]  // power on, no faults
    [InlineData("60000000", false)] // restore policy bits only: off
    public void Chassis_status_power_bit(string hex, bool on)
    {
        Assert.True(ChassisStatus.TryParse(Convert.FromHexString(hex), out var status, out var error), error);
        Assert.Equal(on ? PowerState.On : PowerState.Off, status.PowerState);
    }

    [Theory]
    [InlineData(0, 16)]  // 0 bytes + 15 pad + pad length = 1 block
    [InlineData(8, 16)]
    [InlineData(15, 16)] // 15 bytes + pad length = exactly one block, pad length 0
    [InlineData(16, 32)]
    [InlineData(31, 32)]
    public void Aes_payload_is_iv_plus_whole_blocks_and_round_trips(int length, int cipherLength)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        var encrypted = AesCbc128Payload.Encrypt(payload, key);

        Assert.Equal(16 + cipherLength, encrypted.Length);
        Assert.True(AesCbc128Payload.TryDecrypt(encrypted, key, out var plain, out var error), error);
        Assert.Equal(payload, plain);
    }

    [Fact]
    public void Aes_payload_with_the_wrong_key_is_an_error_value_not_an_exception()
    {
        // Fixed IV: with these bytes a wrong key decrypts to pad length 40h, which the pad check rejects.
        var encrypted = AesCbc128Payload.Encrypt(new byte[] { 1, 2, 3 }, new byte[16], new byte[16]);
        var wrong = Enumerable.Repeat((byte)0x55, 16).ToArray();

        Assert.False(AesCbc128Payload.TryDecrypt(encrypted, wrong, out _, out var error));
        Assert.Contains("pad", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0600FF")]
    [InlineData("0600FF06")]                                      // RMCP class ASF, not IPMI
    [InlineData("0600FF0706")]                                    // RMCP+ header cut short
    [InlineData("0600FF07060000000000000000000500")]              // payload length beyond the datagram
    [InlineData("0600FF070640000000000000000000000000")]          // authenticated but no integrity configured
    public void Malformed_rmcp_plus_datagrams_are_error_values(string hex)
    {
        Assert.False(RmcpPlusPacket.TryParse(Convert.FromHexString(hex), IpmiIntegrityAlgorithm.None, default, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("811C6320003800")]           // too short
    [InlineData("811C6420003800019704030000000009")] // header checksum off by one
    [InlineData("811C6320003800019704030000000008")] // data checksum off by one
    public void Malformed_ipmi_responses_are_error_values(string hex) =>
        Assert.False(IpmiResponse.TryParse(Convert.FromHexString(hex), out _, out _));

    [Fact]
    public void A_password_longer_than_20_bytes_is_refused_without_echoing_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => RakpCrypto.PasswordKey("0123456789abcdefghijKLMN"));

        Assert.DoesNotContain("KLMN", ex.ToString(), StringComparison.Ordinal);
    }
}
