using System.Net;
using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

/// <summary>
/// Servers sharing a lease store start their scan for never-used addresses at different points of a pool
/// (<see cref="LeaseTableOptions.ScanStartFraction"/>): the scan wraps around and still visits every address once.
/// </summary>
public sealed class LeaseTableScanStartTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryLeaseJournal _journal = new();

    private LeaseTable Table(LeasePool pool, double fraction) =>
        new([pool], [], _journal, _time, options: new LeaseTableOptions { ScanStartFraction = fraction });

    [Fact]
    public void The_scan_starts_part_way_through_and_wraps_to_cover_the_whole_pool_once()
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.19");
        LeaseTable table = Table(pool, 0.5);
        var offered = Enumerable.Range(1, 10).Select(i => table.Propose(Mac(i), pool, null)).ToList();

        Assert.Equal(
            ["10.0.0.15", "10.0.0.16", "10.0.0.17", "10.0.0.18", "10.0.0.19", "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"],
            offered.Select(a => a!.ToString()));
        Assert.Null(table.Propose(Mac(11), pool, null));
    }

    [Fact]
    public void An_address_freed_behind_the_wrapped_cursor_is_offered_again()
    {
        // Scan from the last address: 10.0.0.13 is the scan's first step though it is the pool's highest address.
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.13");
        LeaseTable table = Table(pool, 0.75);
        Assert.Equal(Ip("10.0.0.13"), table.Propose(Mac(1), pool, null));

        // The offer lapses unanswered: the address is behind the cursor, so it must go to the free queue, not be lost.
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(Ip("10.0.0.13"), table.Propose(Mac(2), pool, null));
        var rest = new[] { table.Propose(Mac(3), pool, null), table.Propose(Mac(4), pool, null), table.Propose(Mac(5), pool, null) };
        Assert.Equal(["10.0.0.10", "10.0.0.11", "10.0.0.12"], rest.Select(a => a!.ToString()));
        Assert.Null(table.Propose(Mac(6), pool, null));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Out_of_range_fractions_mean_lowest_first(double fraction)
    {
        LeasePool pool = Pool("racks", "10.0.0.10", "10.0.0.19");
        Assert.Equal(Ip("10.0.0.10"), Table(pool, fraction).Propose(Mac(1), pool, null));
    }
}
