using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.PowerShell.Leases;

namespace NodeFoundry.Tests.Jobs;

public sealed class CmdletHelperTests
{
    private static readonly Lease A = new(PhysicalAddress.Parse("52-54-00-00-00-01"), IPAddress.Parse("192.0.2.11"), default, default, "normal", "a", LeaseState.Bound);
    private static readonly Lease B = new(PhysicalAddress.Parse("52-54-00-00-00-02"), IPAddress.Parse("192.0.2.12"), default, default, "pxe", null, LeaseState.Released);

    [Fact]
    public void Lease_filter_matches_any_mac_and_any_address()
    {
        Lease[] leases = [A, B];

        Assert.Equal([A, B], LeaseFilter.Apply(leases, null, null));
        Assert.Equal([A, B], LeaseFilter.Apply(leases, [], []));
        Assert.Equal([B], LeaseFilter.Apply(leases, [PhysicalAddress.Parse("52:54:00:00:00:02")], null));
        Assert.Equal([A], LeaseFilter.Apply(leases, null, [IPAddress.Parse("192.0.2.11"), IPAddress.Parse("192.0.2.99")]));
        Assert.Empty(LeaseFilter.Apply(leases, [A.MacAddress], [B.Address]));
    }
}
