using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Fleet;
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

    [Fact]
    public void Fleet_errors_read_like_compiler_errors()
    {
        var full = new FleetError("fleet.yaml", 12, 7, "nodes[2].mac", "zz:zz", "is not a MAC address", "write six hex pairs, e.g. 52:54:00:12:34:56");
        var bare = new FleetError("fleet.yaml", 1, 1, null, null, "empty file", null);

        Assert.Equal("fleet.yaml:12:7: nodes[2].mac: is not a MAC address (value 'zz:zz') Fix: write six hex pairs, e.g. 52:54:00:12:34:56", FleetErrorText.Format(full));
        Assert.Equal("fleet.yaml:1:1: empty file", FleetErrorText.Format(bare));
    }

    [Fact]
    public void Invalid_fleet_exception_lists_every_error()
    {
        FleetError[] errors =
        [
            new("/etc/nf/fleet.yaml", 3, 5, "nodes[0].name", null, "is required", null),
            new("/etc/nf/fleet.yaml", 9, 11, "nodes[1].address", "10.0.0.300", "is not an IPv4 address", null),
        ];

        var exception = new FleetFileInvalidException("/etc/nf/fleet.yaml", errors);

        Assert.Equal(
            "Fleet file '/etc/nf/fleet.yaml' is invalid (2 errors); nothing was started." + Environment.NewLine
            + "  /etc/nf/fleet.yaml:3:5: nodes[0].name: is required" + Environment.NewLine
            + "  /etc/nf/fleet.yaml:9:11: nodes[1].address: is not an IPv4 address (value '10.0.0.300')",
            exception.Message);
        Assert.Same(errors, exception.Errors);
    }
}
