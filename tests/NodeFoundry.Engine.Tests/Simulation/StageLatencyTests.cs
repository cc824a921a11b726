using NodeFoundry.Simulation;

namespace NodeFoundry.Tests.Simulation;

/// <summary>Nearest-rank percentiles, as the storm report gives them per stage.</summary>
public sealed class StageLatencyTests
{
    [Fact]
    public void Percentiles_of_1_to_100_ms_are_the_nearest_ranks()
    {
        var latency = StageLatency.Of(StormStage.Nbp, Enumerable.Range(1, 100).Reverse().Select(ms => TimeSpan.FromMilliseconds(ms)));

        Assert.Equal(100, latency.Completed);
        Assert.Equal(TimeSpan.FromMilliseconds(50), latency.P50);
        Assert.Equal(TimeSpan.FromMilliseconds(95), latency.P95);
        Assert.Equal(TimeSpan.FromMilliseconds(99), latency.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(100), latency.Max);
    }

    [Fact]
    public void One_value_is_every_percentile_and_none_is_a_stage_nobody_completed()
    {
        var one = StageLatency.Of(StormStage.Kernel, [TimeSpan.FromSeconds(3)]);
        Assert.Equal(TimeSpan.FromSeconds(3), one.P50);
        Assert.Equal(TimeSpan.FromSeconds(3), one.P99);

        var none = StageLatency.Of(StormStage.Initrd, []);
        Assert.Equal(0, none.Completed);
        Assert.Equal(TimeSpan.Zero, none.Max);
    }
}
