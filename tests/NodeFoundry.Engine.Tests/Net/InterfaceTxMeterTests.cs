using NodeFoundry.Net;

namespace NodeFoundry.Tests.Net;

/// <summary>The interface counter the HTTP pacer corrects its sum by: read where it exists, refused where it does not.</summary>
public sealed class InterfaceTxMeterTests
{
    [Fact]
    public void The_loopback_interface_has_a_counter_that_never_runs_backwards()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(InterfaceTxMeter.TryOpen("lo"));
            return;
        }

        var meter = InterfaceTxMeter.TryOpen("lo");
        Assert.NotNull(meter);
        var first = meter.WireBytesSent;
        Assert.True(first >= 0);
        Assert.True(meter.WireBytesSent >= first);
    }

    [Theory]
    [InlineData("nf-no-such-if")]
    [InlineData("../../etc")]
    [InlineData("lo/../lo")]
    public void An_unknown_or_path_like_name_gives_no_meter(string name)
    {
        Assert.Null(InterfaceTxMeter.TryOpen(name));
    }
}
