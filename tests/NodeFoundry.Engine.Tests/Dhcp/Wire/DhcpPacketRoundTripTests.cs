using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>parse(write(p)) == p, field by field, including long options and overload.</summary>
public class DhcpPacketRoundTripTests
{
    private static DhcpPacket FullyPopulated()
    {
        var p = new DhcpPacket
        {
            Op = DhcpOpCode.BootReply,
            HardwareType = 1,
            Hops = 2,
            TransactionId = 0xfeedf00d,
            Seconds = 65535,
            Flags = 0x8001,
            ClientAddress = IPAddress.Parse("10.0.0.5"),
            YourAddress = IPAddress.Parse("10.0.0.6"),
            ServerAddress = IPAddress.Parse("10.0.0.1"),
            GatewayAddress = IPAddress.Parse("10.9.9.9"),
            MacAddress = PhysicalAddress.Parse("AA-BB-CC-DD-EE-FF"),
            ServerName = "boot.example",
            BootFileName = "ipxe/undionly.kpxe",
        };
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Ack);
        p.Options.SetAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse("10.0.0.1"));
        p.Options.SetUInt32(DhcpOptionCode.LeaseTime, 86400);
        p.Options.SetUInt16(DhcpOptionCode.MaxMessageSize, 1472);
        p.Options.SetString(DhcpOptionCode.HostName, "node-017");
        p.Options.Set(DhcpOptionCode.RapidCommit, ReadOnlySpan<byte>.Empty);
        p.Options.Set((DhcpOptionCode)224, [1, 2, 3]);
        return p;
    }

    [Fact]
    public void Every_header_field_and_option_survives()
    {
        var p = FullyPopulated();

        var back = PacketAssert.Parse(p.ToArray());

        PacketAssert.Equivalent(p, back);
        Assert.Equal("AABBCCDDEEFF", back.MacAddress.ToString());
        Assert.True(back.IsBroadcast);
        Assert.Equal(DhcpMessageType.Ack, back.MessageType);
        Assert.Equal("node-017", back.HostName);
        Assert.Equal((ushort)1472, back.MaxMessageSize);
        Assert.True(back.Options.TryGet(DhcpOptionCode.RapidCommit, out var empty));
        Assert.True(empty.IsEmpty);
    }

    [Theory]
    [InlineData(nameof(GoldenPackets.IpxeBiosDiscover))]
    [InlineData(nameof(GoldenPackets.OvmfPxeDiscover))]
    [InlineData(nameof(GoldenPackets.OvmfHttpDiscover))]
    public void Client_packets_survive_a_rewrite(string name)
    {
        var bytes = (byte[])typeof(GoldenPackets).GetMethod(name, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)!.Invoke(null, null)!;
        var p = PacketAssert.Parse(bytes);

        PacketAssert.Equivalent(p, PacketAssert.Parse(p.ToArray()));
    }

    [Fact]
    public void Broadcast_flag_toggles_only_its_bit()
    {
        var p = new DhcpPacket { Flags = 0x0001 };
        p.IsBroadcast = true;
        Assert.Equal(0x8001, p.Flags);
        p.IsBroadcast = false;
        Assert.Equal(0x0001, p.Flags);
    }

    [Fact]
    public void Zero_addresses_read_as_any_and_ipv4_mapped_addresses_are_accepted()
    {
        var p = new DhcpPacket { YourAddress = IPAddress.Parse("::ffff:192.0.2.7") };

        Assert.Same(IPAddress.Any, p.ClientAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), p.YourAddress);
        Assert.Throws<ArgumentException>(() => p.GatewayAddress = IPAddress.IPv6Loopback);
    }

    [Fact]
    public void Mac_address_is_clamped_to_16_bytes_of_chaddr()
    {
        var p = new DhcpPacket { ClientHardwareAddress = [1, 2, 3], HardwareAddressLength = 200 };

        Assert.Equal(16, p.ClientHardwareAddress.Length);
        Assert.Equal(16, p.MacAddress.GetAddressBytes().Length);
        Assert.Throws<DhcpEncodeException>(() => p.ToArray());
        Assert.Throws<ArgumentException>(() => p.ClientHardwareAddress = new byte[17]);
    }

    // RFC 3396 §5: "the client or server concatenates the values of all instances of the option, in
    // the order they appear, before interpreting it".
    [Fact]
    public void Repeated_codes_are_concatenated_on_parse()
    {
        var p = PacketAssert.Parse(Datagram.WithOptions(
            121, 3, (byte)'a', (byte)'b', (byte)'c', // first instance
            53, 1, 1,
            121, 2, (byte)'d', (byte)'e',            // second instance, not adjacent
            255));

        Assert.Equal("abcde"u8.ToArray(), p.Options.Get(DhcpOptionCode.ClasslessStaticRoute)!.Value.ToArray());
        Assert.Equal(new[] { DhcpOptionCode.ClasslessStaticRoute, DhcpOptionCode.MessageType }, p.Options.Select(o => o.Key));
    }

    [Fact]
    public void Values_over_255_bytes_are_split_into_consecutive_instances()
    {
        var p = new DhcpPacket();
        byte[] routes = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        p.Options.Set(DhcpOptionCode.ClasslessStaticRoute, routes);

        byte[] bytes = p.ToArray(1500);

        Assert.Equal(new byte[] { 121, 255 }, bytes[240..242]);
        Assert.Equal(new byte[] { 121, 255 }, bytes[497..499]);
        Assert.Equal(new byte[] { 121, 90 }, bytes[754..756]);
        Assert.Equal(255, bytes[846]);
        Assert.Equal(routes, PacketAssert.Parse(bytes).Options.Get(DhcpOptionCode.ClasslessStaticRoute)!.Value.ToArray());
    }

    // RFC 2131 §4.1: with overload the client reads options, then file, then sname.
    [Fact]
    public void Overloaded_areas_are_read_in_options_file_sname_order()
    {
        var datagram = Datagram.WithAreas(
            options: [52, 1, 3, 43, 2, (byte)'A', (byte)'B', 53, 1, 5, 255],
            file: Datagram.Field(128, 43, 2, (byte)'C', (byte)'D', 67, 3, (byte)'x', (byte)'.', (byte)'y', 255),
            sname: Datagram.Field(64, 43, 2, (byte)'E', (byte)'F', 255));

        var p = PacketAssert.Parse(datagram);

        Assert.Equal("ABCDEF"u8.ToArray(), p.Options.Get(DhcpOptionCode.VendorSpecific)!.Value.ToArray());
        Assert.Equal("x.y"u8.ToArray(), p.Options.Get(DhcpOptionCode.BootFileName)!.Value.ToArray());
        Assert.Equal(DhcpMessageType.Ack, p.MessageType);
        Assert.Equal("", p.BootFileName);
        Assert.Equal("", p.ServerName);
        Assert.False(p.Options.Contains(DhcpOptionCode.OptionOverload));
    }

    [Fact]
    public void Overload_of_file_only_leaves_sname_a_string()
    {
        var datagram = Datagram.WithAreas(
            options: [52, 1, 1, 255],
            file: Datagram.Field(128, 53, 1, 2, 255),
            sname: Datagram.Field(64, "tftp.example"u8.ToArray()));

        var p = PacketAssert.Parse(datagram);

        Assert.Equal(DhcpMessageType.Offer, p.MessageType);
        Assert.Equal("tftp.example", p.ServerName);
        Assert.Equal("", p.BootFileName);
    }

    private static DhcpPacket WithManyOptions(int count, int size)
    {
        var p = new DhcpPacket();
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer);
        for (int i = 0; i < count; i++)
        {
            p.Options.Set((DhcpOptionCode)(224 + i), Enumerable.Repeat((byte)i, size).ToArray());
        }

        return p;
    }

    [Fact]
    public void Options_that_do_not_fit_548_bytes_overflow_into_file_then_sname()
    {
        // A 576-byte datagram leaves a 548-byte message: 308 bytes of options field, less 3 for option 52
        // and 1 for End = 304. The file field takes 127 + End, sname 63 + End.
        var p = new DhcpPacket();
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer);
        p.Options.Set((DhcpOptionCode)224, new byte[150]); // 152 bytes: options field
        p.Options.Set((DhcpOptionCode)225, new byte[140]); // 142 bytes: options field (3 + 152 + 142 = 297 <= 304)
        p.Options.Set((DhcpOptionCode)226, new byte[100]); // 102 bytes: file
        p.Options.Set((DhcpOptionCode)227, new byte[50]);  //  52 bytes: sname

        byte[] bytes = p.ToArray();

        Assert.True(bytes.Length <= 548, $"{bytes.Length} bytes");
        Assert.Equal(new byte[] { 52, 1, 3 }, bytes[240..243]);   // overload: file and sname
        Assert.Equal(new byte[] { 226, 100 }, bytes[108..110]);   // file starts with an option
        Assert.Equal(255, bytes[108 + 102]);                      // End closes the file area
        Assert.Equal(new byte[] { 227, 50 }, bytes[44..46]);      // sname too
        Assert.Equal(255, bytes[44 + 52]);
        PacketAssert.Equivalent(p, PacketAssert.Parse(bytes));
    }

    [Fact]
    public void Overload_uses_only_sname_when_file_is_in_use()
    {
        var p = new DhcpPacket { BootFileName = "undionly.kpxe" };
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer);
        p.Options.Set((DhcpOptionCode)224, new byte[250]); // 3 + 252 + 62 = 317 > 307: overload needed
        p.Options.Set((DhcpOptionCode)225, new byte[60]);

        byte[] bytes = p.ToArray();

        Assert.Equal(new byte[] { 52, 1, 2 }, bytes[240..243]);
        var back = PacketAssert.Parse(bytes);
        Assert.Equal("undionly.kpxe", back.BootFileName);
        PacketAssert.Equivalent(p, back);
    }

    [Fact]
    public void A_larger_client_maximum_avoids_overload()
    {
        var p = WithManyOptions(5, 60); // 3 + 5 x 62 = 313 > 307

        byte[] small = p.ToArray();
        byte[] large = p.ToArray(1500);

        Assert.Equal(52, small[240]);
        Assert.Equal(53, large[240]);
        Assert.Equal(240 + 3 + (5 * 62) + 1, large.Length);
    }

    [Fact]
    public void A_small_option_fills_a_gap_in_the_options_field_after_a_large_one_overflowed()
    {
        var p = new DhcpPacket();
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer);
        p.Options.Set((DhcpOptionCode)224, new byte[250]); // options field: 53 (3) + 224 (252) = 255 of 304
        p.Options.Set((DhcpOptionCode)225, new byte[100]); // does not fit the 46 left: file
        p.Options.Set((DhcpOptionCode)226, new byte[10]);  // fits the options field after 224

        byte[] bytes = p.ToArray();

        Assert.Equal(new byte[] { 52, 1, 1 }, bytes[240..243]);
        Assert.Equal(new byte[] { 226, 10 }, bytes[498..500]); // 240 + 52 (3) + 53 (3) + 224 (252)
        Assert.Equal(new byte[] { 225, 100 }, bytes[108..110]);
        var back = PacketAssert.Parse(bytes);
        Assert.Equal(p.Options.Count, back.Options.Count);
        foreach (var (code, value) in p.Options)
        {
            Assert.Equal(value, back.Options.Get(code)!.Value.ToArray());
        }
    }

    [Fact]
    public void Content_too_large_for_every_area_is_an_encode_exception()
    {
        var p = WithManyOptions(5, 200);
        p.BootFileName = "in-use";
        p.ServerName = "in-use";

        var ex = Assert.Throws<DhcpEncodeException>(() => p.ToArray());
        Assert.Contains("option 57", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DhcpEncodeException>(() => WithManyOptions(6, 250).ToArray());
        Assert.Equal(240 + 3 + (6 * 252) + 1, WithManyOptions(6, 250).ToArray(2000).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(575)]
    public void Maximums_below_576_are_raised_to_576(int maxLength)
    {
        var p = WithManyOptions(5, 60);

        Assert.Equal(p.ToArray(576), p.ToArray(maxLength));
    }

    [Theory]
    [InlineData(64, "sname")]
    [InlineData(128, "file")]
    public void Header_strings_must_leave_room_for_a_nul(int length, string field)
    {
        var p = new DhcpPacket();
        if (field == "sname")
        {
            p.ServerName = new string('s', length);
            Assert.Throws<DhcpEncodeException>(() => p.ToArray());
            p.ServerName = new string('s', length - 1);
        }
        else
        {
            p.BootFileName = new string('f', length);
            Assert.Throws<DhcpEncodeException>(() => p.ToArray());
            p.BootFileName = new string('f', length - 1);
        }

        PacketAssert.Equivalent(p, PacketAssert.Parse(p.ToArray()));
    }

    [Fact]
    public void Header_strings_must_be_ascii()
    {
        var p = new DhcpPacket { BootFileName = "bööt.efi" };

        Assert.Throws<DhcpEncodeException>(() => p.ToArray());
    }

    [Fact]
    public void Destination_too_small_is_an_argument_error_not_a_partial_write()
    {
        var p = FullyPopulated();
        var buffer = new byte[299];

        Assert.Throws<ArgumentException>(() => p.WriteTo(buffer));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }
}
