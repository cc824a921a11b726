using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

public sealed class RetransmitTimerTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    [Fact]
    public void Starts_at_the_initial_timeout() =>
        Assert.Equal(TimeSpan.FromMilliseconds(500), new RetransmitTimer(TimeSpan.FromMilliseconds(500), Min, Max).Current);

    [Fact]
    public void Fast_round_trips_settle_at_the_floor()
    {
        var timer = new RetransmitTimer(TimeSpan.FromMilliseconds(500), Min, Max);
        for (var i = 0; i < 20; i++)
        {
            timer.Sample(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(Min, timer.Current);
    }

    [Fact]
    public void Slow_round_trips_raise_it_up_to_the_ceiling()
    {
        var timer = new RetransmitTimer(TimeSpan.FromMilliseconds(500), Min, Max);
        timer.Sample(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(900), timer.Current); // 300 + 4 × 150
        timer.Sample(TimeSpan.FromSeconds(3));
        Assert.Equal(Max, timer.Current);
    }

    [Fact]
    public void Back_off_doubles_within_the_ceiling()
    {
        var timer = new RetransmitTimer(TimeSpan.FromMilliseconds(300), Min, Max);
        timer.BackOff();
        Assert.Equal(TimeSpan.FromMilliseconds(600), timer.Current);
        timer.BackOff();
        Assert.Equal(Max, timer.Current);
    }

    [Fact]
    public void Negative_sample_from_a_confused_clock_is_ignored()
    {
        var timer = new RetransmitTimer(TimeSpan.FromMilliseconds(500), Min, Max);
        timer.Sample(TimeSpan.FromMilliseconds(-5));
        Assert.Null(timer.SmoothedRoundTrip);
    }
}
