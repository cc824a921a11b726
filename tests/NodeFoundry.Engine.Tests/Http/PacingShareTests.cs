using NodeFoundry.Http;

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
    [InlineData(55_000, 59_375, false)]    // 7.4 % below: raising can wait
    [InlineData(53_000, 59_375, true)]     // 10.7 % below: raise
    public void Rates_above_the_share_are_lowered_at_once_and_raised_only_well_below(long applied, long target, bool expected)
    {
        Assert.Equal(expected, PacingShare.NeedsUpdate(applied, target, EgressPacer.OverTolerance, EgressPacer.UnderTolerance));
    }
}
