using NodeFoundry.Simulation;
using NodeFoundry.Tests.Power;

namespace NodeFoundry.Tests.Simulation;

/// <summary>The storm's stall detector: what it reports from lateness samples, and that a punctual clock reads as punctual.</summary>
public sealed class SchedulingLatenessTests
{
    private static TimeSpan Ms(int value) => TimeSpan.FromMilliseconds(value);

    [Fact]
    public void Summary_has_nearest_rank_percentiles_the_worst_and_the_count_at_half_a_second_or_more()
    {
        var samples = Enumerable.Repeat(Ms(1), 97).Concat([Ms(499), Ms(500), Ms(2_300)]);

        var lateness = SchedulingLateness.Of(samples);

        Assert.Equal(100, lateness.Samples);
        Assert.Equal(Ms(1), lateness.P50);
        Assert.Equal(Ms(500), lateness.P99);
        Assert.Equal(Ms(2_300), lateness.Max);
        Assert.Equal(2, lateness.OverHalfSecond);
    }

    [Fact]
    public void A_timer_served_early_counts_as_on_time_and_no_samples_is_none()
    {
        Assert.Equal(TimeSpan.Zero, SchedulingLateness.Of([Ms(-3)]).Max);
        Assert.Equal(SchedulingLateness.None, SchedulingLateness.Of([]));
    }

    [Fact]
    public void Samples_beyond_the_cap_still_raise_the_worst_and_the_count()
    {
        var monitor = new SchedulingLatenessMonitor(TimeProvider.System, Ms(100));
        for (var i = 0; i < SchedulingLatenessMonitor.MaxSamples; i++)
        {
            monitor.Record(TimeSpan.Zero);
        }

        monitor.Record(Ms(1_500));

        var lateness = monitor.Snapshot();
        Assert.Equal(SchedulingLatenessMonitor.MaxSamples + 1, lateness.Samples);
        Assert.Equal(Ms(1_500), lateness.Max);
        Assert.Equal(1, lateness.OverHalfSecond);
    }

    [Fact]
    public async Task Probes_on_a_clock_that_serves_every_timer_on_time_record_zero_lateness()
    {
        // The virtual clock moves exactly by each requested pause and fires it: lateness is exactly zero.
        var clock = new VirtualClock();
        var monitor = new SchedulingLatenessMonitor(clock, Ms(100));
        using var stop = new CancellationTokenSource();
        var run = monitor.RunAsync(stop.Token);
        for (var spins = 0; spins < 30_000 && monitor.Snapshot().Samples < 5; spins++)
        {
            await Task.Delay(1); // bounded: at most 30,000 turns; the clock, not this wait, times the probes
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        var lateness = monitor.Snapshot();
        Assert.True(lateness.Samples >= 5);
        Assert.Equal(TimeSpan.Zero, lateness.Max);
    }
}
