using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

public class DhcpOptionCollectionTests
{
    [Fact]
    public void Typed_setters_encode_big_endian_like_rfc_2132()
    {
        var o = new DhcpOptionCollection();
        o.SetByte(DhcpOptionCode.MessageType, 2);
        o.SetUInt16(DhcpOptionCode.MaxMessageSize, 1472);
        o.SetUInt32(DhcpOptionCode.LeaseTime, 0x01020304);
        o.SetAddress(DhcpOptionCode.SubnetMask, IPAddress.Parse("255.255.240.0"));
        o.SetAddresses(DhcpOptionCode.DomainNameServer, [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")]);
        o.SetString(DhcpOptionCode.DomainName, "lab.example");

        Assert.Equal(new byte[] { 2 }, o.Get(DhcpOptionCode.MessageType)!.Value.ToArray());
        Assert.Equal(new byte[] { 0x05, 0xc0 }, o.Get(DhcpOptionCode.MaxMessageSize)!.Value.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, o.Get(DhcpOptionCode.LeaseTime)!.Value.ToArray());
        Assert.Equal(new byte[] { 255, 255, 240, 0 }, o.Get(DhcpOptionCode.SubnetMask)!.Value.ToArray());
        Assert.Equal(new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }, o.Get(DhcpOptionCode.DomainNameServer)!.Value.ToArray());
        Assert.Equal("lab.example"u8.ToArray(), o.Get(DhcpOptionCode.DomainName)!.Value.ToArray());
        Assert.Equal(6, o.Count);
    }

    [Fact]
    public void Replacing_keeps_the_position_and_removing_closes_the_gap()
    {
        var o = new DhcpOptionCollection();
        o.SetByte(DhcpOptionCode.MessageType, 1);
        o.SetString(DhcpOptionCode.HostName, "a");
        o.SetString(DhcpOptionCode.DomainName, "b");

        o.SetString(DhcpOptionCode.HostName, "c");
        Assert.Equal(new[] { DhcpOptionCode.MessageType, DhcpOptionCode.HostName, DhcpOptionCode.DomainName }, o.Select(x => x.Key));
        Assert.Equal("c"u8.ToArray(), o.Get(DhcpOptionCode.HostName)!.Value.ToArray());

        Assert.True(o.Remove(DhcpOptionCode.MessageType));
        Assert.False(o.Remove(DhcpOptionCode.MessageType));
        Assert.Equal(new[] { DhcpOptionCode.HostName, DhcpOptionCode.DomainName }, o.Select(x => x.Key));
        Assert.False(o.Contains(DhcpOptionCode.MessageType));
        Assert.Null(o.Get(DhcpOptionCode.MessageType));
        Assert.False(o.TryGet(DhcpOptionCode.MessageType, out _));

        o.Clear();
        Assert.Equal(0, o.Count);
    }

    [Fact]
    public void Grows_past_its_initial_capacity()
    {
        var o = new DhcpOptionCollection();
        for (int code = 1; code <= 254; code++)
        {
            if (code != 52)
            {
                o.SetByte((DhcpOptionCode)code, (byte)code);
            }
        }

        Assert.Equal(253, o.Count);
        Assert.Equal(new byte[] { 200 }, o.Get((DhcpOptionCode)200)!.Value.ToArray());
    }

    [Fact]
    public void Absent_and_empty_are_different()
    {
        var o = new DhcpOptionCollection();
        o.Set(DhcpOptionCode.RapidCommit, []);

        Assert.NotNull(o.Get(DhcpOptionCode.RapidCommit));
        Assert.True(o.Get(DhcpOptionCode.RapidCommit)!.Value.IsEmpty);
        Assert.Null(o.Get(DhcpOptionCode.UserClass));
    }

    [Fact]
    public void Set_copies_its_input_and_enumeration_hands_out_copies()
    {
        var o = new DhcpOptionCollection();
        byte[] input = [1, 2, 3];
        o.Set(DhcpOptionCode.VendorSpecific, input);
        input[0] = 99;
        o.Single().Value[1] = 99;

        Assert.Equal(new byte[] { 1, 2, 3 }, o.Get(DhcpOptionCode.VendorSpecific)!.Value.ToArray());
    }

    [Theory]
    [InlineData(DhcpOptionCode.Pad)]
    [InlineData(DhcpOptionCode.End)]
    [InlineData(DhcpOptionCode.OptionOverload)]
    public void Framing_codes_cannot_be_set(DhcpOptionCode code)
    {
        var o = new DhcpOptionCollection();

        Assert.Throws<ArgumentException>(() => o.Set(code, [1]));
        Assert.Throws<ArgumentException>(() => o.SetByte(code, 1));
        Assert.Throws<ArgumentException>(() => o.SetUInt32(code, 1));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var o = new DhcpOptionCollection();

        Assert.Throws<ArgumentException>(() => o.SetString(DhcpOptionCode.HostName, "nœud"));
        Assert.Throws<ArgumentException>(() => o.SetAddress(DhcpOptionCode.Router, IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentException>(() => o.SetAddresses(DhcpOptionCode.Router, []));
        Assert.Throws<ArgumentNullException>(() => o.SetString(DhcpOptionCode.HostName, null!));
        Assert.Equal(0, o.Count);
    }
}
