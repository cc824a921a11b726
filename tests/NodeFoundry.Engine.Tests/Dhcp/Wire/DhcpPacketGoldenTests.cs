using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>Real client packets in, typed values out; our replies out, byte for byte.</summary>
public class DhcpPacketGoldenTests
{
    [Fact]
    public void Ipxe_bios_discover_parses_to_what_policy_needs()
    {
        var p = PacketAssert.Parse(GoldenPackets.IpxeBiosDiscover());

        Assert.Equal(DhcpOpCode.BootRequest, p.Op);
        Assert.Equal(1, p.HardwareType);
        Assert.Equal(6, p.HardwareAddressLength);
        Assert.Equal(0x12345678u, p.TransactionId);
        Assert.True(p.IsBroadcast);
        Assert.Equal(IPAddress.Any, p.ClientAddress);
        Assert.Equal(IPAddress.Any, p.GatewayAddress);
        Assert.Equal("525400123456", p.MacAddress.ToString());
        Assert.Equal("", p.ServerName);
        Assert.Equal("", p.BootFileName);

        Assert.Equal(DhcpMessageType.Discover, p.MessageType);
        Assert.Equal(new ushort[] { 0 }, p.ClientArchitectures);
        Assert.Equal("PXEClient:Arch:00000:UNDI:002001", p.VendorClassIdentifier);
        Assert.Equal("iPXE"u8.ToArray(), p.UserClass!.Value.ToArray());
        Assert.True(p.IsIpxeUserClass);
        Assert.True(p.HasIpxeEncapsulatedOptions);
        Assert.Equal((ushort)1472, p.MaxMessageSize);
        Assert.Equal(Guid.Empty, p.ClientMachineGuid);
        Assert.Equal(new byte[17], p.ClientMachineIdentifier);
        Assert.Equal(new byte[] { 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, p.ClientIdentifier);
        Assert.Equal(new byte[] { 1, 2, 1 }, p.Options.Get(DhcpOptionCode.ClientNetworkInterface)!.Value.ToArray());
        Assert.Equal(23, p.ParameterRequestList.Count);
        Assert.Equal(175, p.ParameterRequestList[21]);
        Assert.Null(p.RequestedIpAddress);
        Assert.Null(p.ServerIdentifier);
        Assert.Null(p.HostName);
        Assert.Null(p.RelayAgentInformation);

        var ipxe = IpxeOptions.ParseSubOptions(p.Options.Get(DhcpOptionCode.IpxeEncapsulated)!.Value.Span);
        Assert.Equal(new byte[] { 1 }, ipxe[IpxeOptions.FeatureHttp]);
        Assert.Equal(new byte[] { 1, 0, 0x82 }, ipxe[IpxeOptions.Version]);
        Assert.False(ipxe.ContainsKey(IpxeOptions.FeatureEfi));

        // Options keep wire order.
        Assert.Equal(
            new[] { 53, 57, 93, 94, 60, 77, 55, 175, 61, 97 },
            p.Options.Select(o => (int)o.Key));
    }

    [Fact]
    public void Ovmf_pxe_discover_parses_arch_7_and_the_uuid_in_pxe_byte_order()
    {
        var p = PacketAssert.Parse(GoldenPackets.OvmfPxeDiscover());

        Assert.Equal(DhcpMessageType.Discover, p.MessageType);
        Assert.Equal(new ushort[] { 7 }, p.ClientArchitectures);
        Assert.Equal("PXEClient:Arch:00007:UNDI:003000", p.VendorClassIdentifier);
        Assert.Null(p.UserClass);
        Assert.False(p.IsIpxeUserClass);
        Assert.False(p.HasIpxeEncapsulatedOptions);
        Assert.Equal(Guid.Parse("12345678-1234-5678-9abc-def012345678"), p.ClientMachineGuid);
        Assert.Equal((ushort)4, p.Seconds);
        Assert.Equal("525400abcdef", p.MacAddress.ToString().ToLowerInvariant());
    }

    [Fact]
    public void Ovmf_http_boot_discover_parses_arch_16_and_httpclient()
    {
        var p = PacketAssert.Parse(GoldenPackets.OvmfHttpDiscover());

        Assert.Equal(new ushort[] { 16 }, p.ClientArchitectures);
        Assert.Equal("HTTPClient:Arch:00016:UNDI:003000", p.VendorClassIdentifier);
        Assert.False(p.IsBroadcast);
        Assert.False(p.IsIpxeUserClass);
        Assert.Equal(Guid.Empty, p.ClientMachineGuid);
    }

    [Fact]
    public void Offer_to_ipxe_serializes_byte_for_byte()
    {
        var discover = PacketAssert.Parse(GoldenPackets.IpxeBiosDiscover());
        var offer = DhcpPacket.CreateReply(discover, DhcpMessageType.Offer);
        offer.YourAddress = IPAddress.Parse("192.168.50.100");
        offer.ServerAddress = IPAddress.Parse("192.168.50.1");
        offer.BootFileName = "http://192.168.50.1/boot.ipxe";
        offer.Options.SetAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse("192.168.50.1"));
        offer.Options.SetUInt32(DhcpOptionCode.LeaseTime, 300);
        offer.Options.SetAddress(DhcpOptionCode.SubnetMask, IPAddress.Parse("255.255.255.0"));
        offer.Options.SetAddresses(DhcpOptionCode.Router, [IPAddress.Parse("192.168.50.1")]);
        offer.Options.SetAddresses(DhcpOptionCode.DomainNameServer, [IPAddress.Parse("192.168.50.1")]);
        offer.Options.Set(DhcpOptionCode.IpxeEncapsulated, IpxeOptions.EncodeNoPxeDhcp());

        byte[] expected =
        [
            0x02,                   // op: BOOTREPLY
            0x01,                   // htype: copied
            0x06,                   // hlen: copied
            0x00,                   // hops: 0 in replies
            0x12, 0x34, 0x56, 0x78, // xid: copied
            0x00, 0x00,             // secs: 0
            0x80, 0x00,             // flags: BROADCAST, copied
            0x00, 0x00, 0x00, 0x00, // ciaddr
            192, 168, 50, 100,      // yiaddr: the offered address
            192, 168, 50, 1,        // siaddr: next server
            0x00, 0x00, 0x00, 0x00, // giaddr: copied (not relayed)
            0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // chaddr: copied
            .. new byte[10],        // chaddr padding
            .. new byte[64],        // sname: empty
            .. "http://192.168.50.1/boot.ipxe"u8, // file: the iPXE script
            .. new byte[128 - 29],  // file: NUL padding
            0x63, 0x82, 0x53, 0x63, // magic cookie
            53, 1, 0x02,            // option 53: OFFER (first, set by CreateReply)
            54, 4, 192, 168, 50, 1, // option 54 server identifier
            51, 4, 0x00, 0x00, 0x01, 0x2c, // option 51 lease time: 300 s (bootstrap range)
            1, 4, 255, 255, 255, 0, // option 1 subnet mask
            3, 4, 192, 168, 50, 1,  // option 3 router
            6, 4, 192, 168, 50, 1,  // option 6 DNS
            175, 3, 0xb0, 1, 1,     // option 175: no-pxedhcp = 1 (skip iPXE's 3 s ProxyDHCP wait)
            255,                    // End
            .. new byte[21],        // Pad to the 300-byte BOOTP minimum
        ];

        Assert.Equal(expected, offer.ToArray());

        Span<byte> buffer = stackalloc byte[1500];
        int written = offer.WriteTo(buffer, 1500);
        Assert.Equal(expected, buffer.Slice(0, written).ToArray());

        PacketAssert.Equivalent(offer, PacketAssert.Parse(expected));
    }

    [Fact]
    public void Nak_is_padded_to_the_bootp_minimum_of_300_bytes()
    {
        var request = PacketAssert.Parse(GoldenPackets.OvmfPxeDiscover());
        var nak = DhcpPacket.CreateReply(request, DhcpMessageType.Nak);

        byte[] bytes = nak.ToArray();

        Assert.Equal(300, bytes.Length);
        Assert.Equal(new byte[] { 53, 1, 6, 255 }, bytes[240..244]);
        Assert.All(bytes[244..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Http_boot_offer_echoes_httpclient_and_carries_a_long_url_in_option_67()
    {
        var discover = PacketAssert.Parse(GoldenPackets.OvmfHttpDiscover());
        var offer = DhcpPacket.CreateReply(discover, DhcpMessageType.Offer);
        string url = "http://192.168.50.1:8080/nodes/52-54-00-00-00-16/" + new string('x', 120) + "/bootx64.efi";
        offer.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "HTTPClient");
        offer.Options.SetString(DhcpOptionCode.BootFileName, url);

        var parsed = PacketAssert.Parse(offer.ToArray(discover.MaxMessageSize ?? 576));

        Assert.Equal("HTTPClient", parsed.VendorClassIdentifier);
        Assert.Equal(url, System.Text.Encoding.ASCII.GetString(parsed.Options.Get(DhcpOptionCode.BootFileName)!.Value.Span));
    }

    [Fact]
    public void Pxe_vendor_options_and_ipxe_no_pxedhcp_encode_as_specified()
    {
        Assert.Equal(new byte[] { 6, 1, 8, 255 }, PxeVendorOptions.Encode(PxeVendorOptions.BootFileDirectly));
        Assert.Equal(new byte[] { 0xb0, 1, 1 }, IpxeOptions.EncodeNoPxeDhcp());
    }
}
