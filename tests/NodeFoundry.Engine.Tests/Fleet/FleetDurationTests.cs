using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

public sealed class FleetDurationTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("12h", 43_200)]
    [InlineData("1d", 86_400)]
    [InlineData("1h30m", 5_400)]
    [InlineData("1d12h", 129_600)]
    [InlineData("2h0m5s", 7_205)]
    [InlineData("1H30M", 5_400)]
    [InlineData("90s", 90)]
    [InlineData("300", 300)]
    [InlineData("0", 0)]
    [InlineData("4294967295", 4_294_967_295)]
    public void Parses(string text, long seconds)
    {
        Assert.True(FleetDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("m")]
    [InlineData("5x")]
    [InlineData("5 m")]
    [InlineData(" 5m")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("5m ")]
    [InlineData("12 hours")]
    [InlineData("4294967296")]
    [InlineData("99999999999d")]
    [InlineData("49711d")]
    [InlineData("PT5M")]
    public void Rejects(string? text)
    {
        Assert.False(FleetDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30, "30s")]
    [InlineData(300, "5m")]
    [InlineData(5_400, "1h30m")]
    [InlineData(129_600, "1d12h")]
    [InlineData(90_061, "1d1h1m1s")]
    public void Formats_and_round_trips(long seconds, string text)
    {
        Assert.Equal(text, FleetDuration.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(FleetDuration.TryParse(text, out TimeSpan back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
