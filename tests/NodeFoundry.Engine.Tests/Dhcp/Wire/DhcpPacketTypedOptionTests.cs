using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>Typed getters: a value when well-formed, null/empty when absent or malformed, never a throw.</summary>
public class DhcpPacketTypedOptionTests
{
    private static DhcpPacket With(DhcpOptionCode code, params byte[] value)
    {
        var p = new DhcpPacket();
        p.Options.Set(code, value);
        return p;
    }

    [Theory]
    [InlineData(new byte[] { 1 }, DhcpMessageType.Discover)]
    [InlineData(new byte[] { 8 }, DhcpMessageType.Inform)]
    [InlineData(new byte[] { 0 }, null)]
    [InlineData(new byte[] { 9 }, null)]
    [InlineData(new byte[] { 1, 1 }, null)]
    [InlineData(new byte[0], null)]
    public void Option_53_message_type(byte[] value, DhcpMessageType? expected) =>
        Assert.Equal(expected, With(DhcpOptionCode.MessageType, value).MessageType);

    [Theory]
    [InlineData(new byte[] { 0, 0 }, new ushort[] { 0 })]
    [InlineData(new byte[] { 0, 7 }, new ushort[] { 7 })]
    [InlineData(new byte[] { 0, 16, 0, 7 }, new ushort[] { 16, 7 })]
    [InlineData(new byte[] { 0x01, 0x02 }, new ushort[] { 0x0102 })]
    [InlineData(new byte[] { 0 }, new ushort[0])]
    [InlineData(new byte[] { 0, 7, 0 }, new ushort[0])]
    [InlineData(new byte[0], new ushort[0])]
    public void Option_93_client_architectures(byte[] value, ushort[] expected) =>
        Assert.Equal(expected, With(DhcpOptionCode.ClientSystemArchitecture, value).ClientArchitectures);

    [Fact]
    public void Absent_options_read_as_null_or_empty()
    {
        var p = new DhcpPacket();

        Assert.Null(p.MessageType);
        Assert.Null(p.RequestedIpAddress);
        Assert.Null(p.ServerIdentifier);
        Assert.Empty(p.ClientArchitectures);
        Assert.Null(p.VendorClassIdentifier);
        Assert.Null(p.UserClass);
        Assert.False(p.IsIpxeUserClass);
        Assert.False(p.HasIpxeEncapsulatedOptions);
        Assert.Null(p.ClientIdentifier);
        Assert.Null(p.ClientMachineIdentifier);
        Assert.Null(p.ClientMachineGuid);
        Assert.Null(p.HostName);
        Assert.Empty(p.ParameterRequestList);
        Assert.Null(p.MaxMessageSize);
        Assert.Null(p.RelayAgentInformation);
    }

    [Theory]
    [InlineData(new byte[] { 192, 0, 2, 1 }, "192.0.2.1")]
    [InlineData(new byte[] { 192, 0, 2 }, null)]
    [InlineData(new byte[] { 192, 0, 2, 1, 0 }, null)]
    public void Options_50_and_54_addresses(byte[] value, string? expected)
    {
        IPAddress? address = expected is null ? null : IPAddress.Parse(expected);

        Assert.Equal(address, With(DhcpOptionCode.RequestedIpAddress, value).RequestedIpAddress);
        Assert.Equal(address, With(DhcpOptionCode.ServerIdentifier, value).ServerIdentifier);
    }

    public static TheoryData<string, byte[], bool> UserClasses() => new()
    {
        { "raw iPXE, as iPXE sends it",          "iPXE"u8.ToArray(),                               true },
        { "RFC 3004, one instance",              [4, .. "iPXE"u8],                                 true },
        { "RFC 3004, iPXE second",               [3, .. "foo"u8, 4, .. "iPXE"u8],                  true },
        { "RFC 3004, other classes only",        [3, .. "foo"u8, 3, .. "bar"u8],                   false },
        { "RFC 3004, truncated instance",        [5, .. "iPXE"u8],                                 false },
        { "RFC 3004, zero-length instance",      [0, 4, .. "iPXE"u8],                              false },
        { "wrong case",                          "ipxe"u8.ToArray(),                               false },
        { "longer raw string",                   "iPXE-custom"u8.ToArray(),                        false },
        { "empty",                               [],                                               false },
    };

    [Theory]
    [MemberData(nameof(UserClasses))]
    public void Option_77_ipxe_detection(string shape, byte[] value, bool isIpxe) =>
        Assert.True(isIpxe == With(DhcpOptionCode.UserClass, value).IsIpxeUserClass, shape);

    [Fact]
    public void Option_97_guid_needs_type_0_and_16_bytes()
    {
        byte[] uuid = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];

        Assert.Equal(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), With(DhcpOptionCode.ClientMachineIdentifier, [0, .. uuid]).ClientMachineGuid);
        Assert.Null(With(DhcpOptionCode.ClientMachineIdentifier, [1, .. uuid]).ClientMachineGuid);
        Assert.Null(With(DhcpOptionCode.ClientMachineIdentifier, [0, .. uuid[..15]]).ClientMachineGuid);
        byte[] raw = [1, .. uuid];
        Assert.Equal(raw, With(DhcpOptionCode.ClientMachineIdentifier, raw).ClientMachineIdentifier);
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x40 }, (ushort)576)]
    [InlineData(new byte[] { 0x05, 0xc0 }, (ushort)1472)]
    [InlineData(new byte[] { 0x02, 0x3f }, null)]   // 575: below the RFC 2132 minimum
    [InlineData(new byte[] { 0x05 }, null)]
    public void Option_57_max_message_size(byte[] value, ushort? expected) =>
        Assert.Equal(expected, With(DhcpOptionCode.MaxMessageSize, value).MaxMessageSize);

    [Fact]
    public void Strings_are_ascii_with_trailing_nuls_dropped()
    {
        Assert.Equal("node1", With(DhcpOptionCode.HostName, [.. "node1"u8, 0]).HostName);
        Assert.Equal("", With(DhcpOptionCode.HostName, 0, 0).HostName);
        Assert.Equal("n?de", With(DhcpOptionCode.HostName, (byte)'n', 0xf6, (byte)'d', (byte)'e').HostName);
        Assert.Equal("PXEClient", With(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8.ToArray()).VendorClassIdentifier);
    }

    [Fact]
    public void Option_61_needs_at_least_two_bytes()
    {
        Assert.Null(With(DhcpOptionCode.ClientIdentifier, 1).ClientIdentifier);
        Assert.Equal(new byte[] { 0, 7 }, With(DhcpOptionCode.ClientIdentifier, 0, 7).ClientIdentifier);
    }

    [Fact]
    public void Header_strings_stop_at_the_first_nul_and_may_fill_the_field()
    {
        var p = PacketAssert.Parse(Datagram.WithAreas(
            options: [255],
            file: [.. "pxelinux.0"u8, 0, .. "junk"u8, .. new byte[113]],
            sname: [.. Enumerable.Repeat((byte)'s', 64)]));

        Assert.Equal("pxelinux.0", p.BootFileName);
        Assert.Equal(new string('s', 64), p.ServerName);
    }
}
