using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

public sealed class LeasePoolTests
{
    [Fact]
    public void Size_and_contains_are_inclusive()
    {
        LeasePool pool = Pool("pxe", "192.168.10.100", "192.168.10.199");
        Assert.Equal(100, pool.Size);
        Assert.True(pool.Contains(Ip("192.168.10.100")));
        Assert.True(pool.Contains(Ip("192.168.10.199")));
        Assert.True(pool.Contains(Ip("192.168.10.150").MapToIPv6()));
        Assert.False(pool.Contains(Ip("192.168.10.99")));
        Assert.False(pool.Contains(Ip("192.168.10.200")));
        Assert.False(pool.Contains(Ip("fe80::1")));
    }

    [Fact]
    public void Whole_address_space_does_not_overflow()
    {
        LeasePool pool = Pool("all", "0.0.0.0", "255.255.255.255");
        Assert.Equal(1L << 32, pool.Size);
    }

    [Fact]
    public void Rejects_bad_ranges()
    {
        Assert.Throws<ArgumentException>(() => Pool("x", "10.0.0.9", "10.0.0.1"));
        Assert.Throws<ArgumentException>(() => new LeasePool("x", Ip("fe80::1"), Ip("fe80::2"), TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeasePool("x", Ip("10.0.0.1"), Ip("10.0.0.2"), TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new LeasePool(" ", Ip("10.0.0.1"), Ip("10.0.0.2"), TimeSpan.FromHours(1)));
    }
}
