using System.Net;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

public sealed class AddressRangeTests
{
    private static AddressRange Range(string start, string end) => new(IPAddress.Parse(start), IPAddress.Parse(end));

    [Fact]
    public void Counts_inclusively()
    {
        Assert.Equal(50, Range("192.0.2.100", "192.0.2.149").Count);
        Assert.Equal(1, Range("192.0.2.7", "192.0.2.7").Count);
        Assert.Equal(4_294_967_296L, Range("0.0.0.0", "255.255.255.255").Count);
    }

    [Theory]
    [InlineData("192.0.2.99", false)]
    [InlineData("192.0.2.100", true)]
    [InlineData("192.0.2.120", true)]
    [InlineData("192.0.2.149", true)]
    [InlineData("192.0.2.150", false)]
    [InlineData("::ffff:192.0.2.120", true)]
    [InlineData("2001:db8::1", false)]
    public void Contains(string address, bool expected) =>
        Assert.Equal(expected, Range("192.0.2.100", "192.0.2.149").Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("192.0.2.150", "192.0.2.199", false)]
    [InlineData("192.0.2.149", "192.0.2.199", true)]
    [InlineData("192.0.2.1", "192.0.2.100", true)]
    [InlineData("192.0.2.110", "192.0.2.120", true)]
    [InlineData("192.0.2.0", "192.0.2.254", true)]
    [InlineData("192.0.2.1", "192.0.2.99", false)]
    public void Overlaps_both_ways(string start, string end, bool expected)
    {
        AddressRange a = Range("192.0.2.100", "192.0.2.149");
        AddressRange b = Range(start, end);
        Assert.Equal(expected, a.Overlaps(b));
        Assert.Equal(expected, b.Overlaps(a));
    }

    [Fact]
    public void Refuses_reversed_and_non_ipv4_ranges()
    {
        Assert.Throws<ArgumentException>(() => Range("192.0.2.149", "192.0.2.100"));
        Assert.Throws<ArgumentException>(() => Range("2001:db8::1", "2001:db8::2"));
    }

    [Fact]
    public void Has_value_equality_and_text()
    {
        Assert.Equal(Range("192.0.2.100", "192.0.2.149"), Range("192.0.2.100", "192.0.2.149"));
        Assert.NotEqual(Range("192.0.2.100", "192.0.2.149"), Range("192.0.2.100", "192.0.2.150"));
        Assert.Equal("192.0.2.100-192.0.2.149", Range("192.0.2.100", "192.0.2.149").ToString());
    }

    [Theory]
    [InlineData("192.0.2.0/24", "255.255.255.0", "192.0.2.255")]
    [InlineData("198.51.100.0/25", "255.255.255.128", "198.51.100.127")]
    [InlineData("10.0.0.0/8", "255.0.0.0", "10.255.255.255")]
    [InlineData("192.0.2.4/30", "255.255.255.252", "192.0.2.7")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255")]
    public void Scope_derives_mask_and_broadcast(string subnet, string mask, string broadcast)
    {
        var scope = new DhcpScope { Name = "s", Subnet = IPNetwork.Parse(subnet) };
        Assert.Equal(IPAddress.Parse(mask), scope.SubnetMask);
        Assert.Equal(IPAddress.Parse(broadcast), scope.BroadcastAddress);
    }
}
