using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>CreateReply follows RFC 2131 table 3 and RFC 3046 for relayed requests.</summary>
public class DhcpReplyTests
{
    private static DhcpPacket RelayedRequest()
    {
        var request = PacketAssert.Parse(GoldenPackets.OvmfPxeDiscover());
        request.Hops = 1;
        request.Seconds = 12;
        request.GatewayAddress = IPAddress.Parse("10.20.0.1");
        request.ClientAddress = IPAddress.Parse("10.20.0.99");
        request.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 4, .. "eth7"u8, 2, 2, 0xab, 0xcd]);
        return request;
    }

    [Fact]
    public void Reply_copies_what_table_3_says_and_nothing_else()
    {
        var request = RelayedRequest();

        var reply = DhcpPacket.CreateReply(request, DhcpMessageType.Offer);

        Assert.Equal(DhcpOpCode.BootReply, reply.Op);
        Assert.Equal(request.HardwareType, reply.HardwareType);
        Assert.Equal(request.HardwareAddressLength, reply.HardwareAddressLength);
        Assert.Equal(request.TransactionId, reply.TransactionId);
        Assert.Equal(request.Flags, reply.Flags);
        Assert.Equal(request.GatewayAddress, reply.GatewayAddress);
        Assert.Equal(request.ClientHardwareAddress, reply.ClientHardwareAddress);
        Assert.NotSame(request.ClientHardwareAddress, reply.ClientHardwareAddress);
        Assert.Equal(0, reply.Hops);
        Assert.Equal(0, reply.Seconds);
        Assert.Equal(IPAddress.Any, reply.ClientAddress);
        Assert.Equal(DhcpMessageType.Offer, reply.MessageType);
        Assert.Equal(DhcpOptionCode.MessageType, reply.Options.First().Key);
        Assert.Equal(request.RelayAgentInformation, reply.RelayAgentInformation);
    }

    [Fact]
    public void Option_82_is_written_last_even_when_options_are_added_after_it()
    {
        var reply = DhcpPacket.CreateReply(RelayedRequest(), DhcpMessageType.Ack);
        reply.Options.SetAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse("10.0.0.1"));
        reply.Options.SetUInt32(DhcpOptionCode.LeaseTime, 3600);

        byte[] bytes = reply.ToArray();

        byte[] expected =
        [
            53, 1, 5,                            // ACK
            54, 4, 10, 0, 0, 1,                  // server identifier
            51, 4, 0, 0, 0x0e, 0x10,             // lease 3600 s
            82, 10, 1, 4, .. "eth7"u8, 2, 2, 0xab, 0xcd, // relay agent information, echoed, last
            255,
        ];
        Assert.Equal(
            expected,
            bytes[240..(240 + 28)]);
    }

    [Fact]
    public void Unrelayed_request_gets_no_option_82()
    {
        var reply = DhcpPacket.CreateReply(PacketAssert.Parse(GoldenPackets.IpxeBiosDiscover()), DhcpMessageType.Offer);

        Assert.False(reply.Options.Contains(DhcpOptionCode.RelayAgentInformation));
        Assert.Equal(1, reply.Options.Count);
    }

    [Fact]
    public void Relay_sub_options_name_the_port()
    {
        var info = RelayAgentInformation.ParseSubOptions(RelayedRequest().RelayAgentInformation);

        Assert.Equal("eth7"u8.ToArray(), info[RelayAgentInformation.CircuitId]);
        Assert.Equal(new byte[] { 0xab, 0xcd }, info[RelayAgentInformation.RemoteId]);
    }

    [Theory]
    [InlineData(new byte[0], 0)]
    [InlineData(new byte[] { 1 }, 0)]                        // code without length
    [InlineData(new byte[] { 1, 3, 0x61 }, 0)]               // truncated value
    [InlineData(new byte[] { 1, 1, 0x61, 2, 9, 0 }, 1)]      // good circuit id, truncated remote id
    [InlineData(new byte[] { 1, 1, 0x61, 1, 1, 0x62 }, 1)]   // repeated code keeps the first
    [InlineData(new byte[] { 0, 0, 255, 0 }, 2)]             // RFC 3046 has no Pad/End: codes 0 and 255 are plain
    public void Relay_sub_option_parsing_never_throws(byte[] option82, int count)
    {
        var info = RelayAgentInformation.ParseSubOptions(option82);

        Assert.Equal(count, info.Count);
        if (info.TryGetValue(RelayAgentInformation.CircuitId, out var circuit))
        {
            Assert.Equal("a"u8.ToArray(), circuit);
        }
    }

    [Fact]
    public void Ipxe_sub_options_honour_pad_and_end()
    {
        var sub = IpxeOptions.ParseSubOptions([0, 0x24, 1, 1, 255, 0x13, 1, 1]);

        Assert.Equal(new byte[] { 1 }, sub[IpxeOptions.FeatureEfi]);
        Assert.False(sub.ContainsKey(IpxeOptions.FeatureHttp));
    }
}
