using NodeFoundry.Http;
using NodeFoundry.Net;

namespace NodeFoundry.Tests.Http;

/// <summary>The egress pacer's arithmetic: equal shares with a floor, and when a socket's rate is worth re-setting.</summary>
public sealed class PacingShareTests
{
    private const long Budget = 950_000_000 / 8; // 950 Mbit/s

    [Theory]
    [InlineData(0, Budget)]
    [InlineData(1, Budget)]
    [InlineData(2, Budget / 2)]
    [InlineData(1000, Budget / 1000)]
    [InlineData(2000, Budget / 2000)]
    public void The_budget_is_shared_equally_among_the_active_responses(int active, long expected)
    {
        Assert.Equal(expected, PacingShare.Compute(Budget, active, EgressPacer.MinimumShare));
    }

    [Fact]
    public void No_share_falls_below_the_minimum()
    {
        // 118,750,000 / 10,000 = 11,875 B/s, under the 16 KiB/s floor.
        Assert.Equal(EgressPacer.MinimumShare, PacingShare.Compute(Budget, 10_000, EgressPacer.MinimumShare));
    }

    [Fact]
    public void A_zero_budget_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PacingShare.Compute(0, 1, EgressPacer.MinimumShare));
    }

    [Theory]
    [InlineData(0, 59_375, true)]          // never set: always
    [InlineData(59_375, 59_375, false)]    // unchanged
    [InlineData(59_900, 59_375, false)]    // 0.9 % above: within the 1 %
    [InlineData(62_000, 59_375, true)]     // 4.4 % above: arrivals shrank the share; lower it now
    [InlineData(118_750, 59_375, true)]    // a second download started: halve
    [InlineData(58_500, 59_375, false)]    // 1.5 % below: raising can wait
    [InlineData(57_000, 59_375, true)]     // 4 % below: raise (the end of TFTP's reservation grows every share ~6 %)
    public void Rates_above_the_share_are_lowered_at_once_and_raised_only_well_below(long applied, long target, bool expected)
    {
        // What a recomputation touches: the lower pass takes those over, the raise pass those under (0 = never set is under).
        Assert.Equal(expected, PacingShare.IsOver(applied, target, EgressPacer.OverTolerance) || PacingShare.IsUnder(applied, target, EgressPacer.UnderTolerance));
    }
    [Theory]
    [InlineData(0, 25_000_000, 25_000_000)]            // TFTP sent 200 Mbit/s last period: keep that
    [InlineData(25_000_000, 0, 12_500_000)]            // it went quiet: half the reservation, not none
    [InlineData(25_000_000, 20_000_000, 20_000_000)]   // still sending, a little less: the larger wins
    [InlineData(1_000, -5, 500)]                       // a counter never runs backwards, but a negative rate reserves nothing
    public void The_reservation_follows_the_other_engines_and_decays_by_half(long previous, long rate, long expected)
    {
        Assert.Equal(expected, PacingShare.Reserve(previous, rate));
    }

    [Theory]
    [InlineData(125_000_000, 0, 125_000_000)]
    [InlineData(125_000_000, 25_000_000, 100_000_000)]
    [InlineData(125_000_000, 100_000_000, 62_500_000)]  // TFTP flooding: the downloads keep half
    public void The_downloads_get_what_the_reservation_leaves_but_at_least_half(long link, long reserved, long expected)
    {
        Assert.Equal(expected, PacingShare.BulkBudget(link, reserved, EgressPacer.MinimumBulkFraction));
    }

    [Theory]
    [InlineData(60_000, 1_000_000, 60_000)]   // room enough: the share
    [InlineData(60_000, 45_000, 45_000)]      // the others are not lowered yet: only what is left
    [InlineData(60_000, 10_000, 30_000)]      // less than half the share left: half the share, until the others are lowered
    [InlineData(60_000, -5_000, 30_000)]      // nothing left: likewise
    [InlineData(20_000, -5_000, EgressPacer.MinimumShare)] // half a tiny share is under the minimum: the minimum
    public void A_new_download_starts_at_its_share_or_what_is_left_but_at_least_half_its_share(long share, long available, long expected)
    {
        Assert.Equal(expected, PacingShare.ForArrival(share, available, EgressPacer.ArrivalFloor, EgressPacer.MinimumShare));
    }

    [Theory]
    [InlineData(100_000, 60_000, 60_000)]      // within a quarter: straight to the share
    [InlineData(1_000_000, 60_000, 250_000)]   // far over: a quarter of its rate this step
    [InlineData(0, 60_000, 60_000)]            // never set: the share
    [InlineData(50_000, 60_000, 50_000)]       // not over: unchanged
    public void A_rate_is_cut_a_quarter_at_a_time_at_most(long applied, long share, long expected)
    {
        Assert.Equal(expected, PacingShare.Lower(applied, share, EgressPacer.MaximumCut));
    }

    [Theory]
    [InlineData(20_000, 60_000, 1_000_000, 60_000)]
    [InlineData(20_000, 60_000, 10_000, 30_000)]
    [InlineData(20_000, 60_000, 0, 20_000)]
    [InlineData(20_000, 60_000, -100, 20_000)]
    public void A_raise_stays_inside_the_budget(long applied, long share, long available, long expected)
    {
        Assert.Equal(expected, PacingShare.Raise(applied, share, available));
    }

    [Fact]
    public void A_wire_budget_becomes_a_smaller_payload_rate()
    {
        // 1 Gbit/s of 1,514-byte frames carries 956 Mbit/s of TCP payload.
        Assert.Equal(125_000_000L * 1448 / 1514, WireOverhead.TcpPayloadFor(125_000_000));
    }
    [Theory]
    [InlineData(1.0, 125_000_000, 119_000_000, 1.0249)]  // 4.8 % under the budget: √(125/119)
    [InlineData(1.0, 125_000_000, 125_000_000, 1.0)]
    [InlineData(1.0, 125_000_000, 140_000_000, 0.9449)]  // the link carried more than the budget: less
    [InlineData(1.08, 125_000_000, 100_000_000, 1.10)]   // never more than +10 %
    [InlineData(0.85, 125_000_000, 250_000_000, 0.80)]   // never less than −20 %
    [InlineData(1.05, 125_000_000, 0, 1.05)]             // nothing measured: unchanged
    public void The_correction_follows_the_measured_link_damped_and_bounded(double factor, long target, long measured, double expected)
    {
        Assert.Equal(expected, PacingShare.Correct(factor, target, measured, EgressPacer.MinimumCorrection, EgressPacer.MaximumCorrection), 4);
    }
}
