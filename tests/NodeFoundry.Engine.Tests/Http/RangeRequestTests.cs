using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

public sealed class RangeRequestTests
{
    [Theory]
    [InlineData("bytes=0-99", "0+100")]
    [InlineData("bytes=-100", "900+100")]
    [InlineData("bytes=900-", "900+100")]
    [InlineData("bytes=990-2000", "990+10")]
    [InlineData("bytes=-5000", "0+1000")]
    [InlineData("bytes=0-0", "0+1")]
    [InlineData("bytes=999-999", "999+1")]
    [InlineData("Bytes = 1-2", null)] // whitespace before '=' is not the syntax: ignored
    [InlineData("bytes=0-1, 5-6", "0+2,5+2")]
    [InlineData("bytes=0-1,,5-6", "0+2,5+2")]
    [InlineData("bytes=0-1,2000-3000", "0+2")] // unsatisfiable members dropped, the rest served
    public void Satisfiable_ranges_resolve_against_the_length(string header, string? expected)
    {
        var parsed = RangeRequest.Parse(header, 1000, 16);
        if (expected is null)
        {
            Assert.Equal(RangeKind.Full, parsed.Kind);
            return;
        }

        Assert.Equal(RangeKind.Partial, parsed.Kind);
        Assert.Equal(expected, string.Join(',', parsed.Ranges.Select(r => $"{r.Start}+{r.Length}")));
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=5000-,6000-7000")]
    public void No_overlap_is_unsatisfiable(string header)
    {
        Assert.Equal(RangeKind.Unsatisfiable, RangeRequest.Parse(header, 1000, 16).Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("items=0-1")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=1")]
    [InlineData("bytes=--1")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=")]
    [InlineData("bytes=99999999999999999999-")]
    public void Malformed_range_is_ignored_and_the_whole_file_sent(string? header)
    {
        Assert.Equal(RangeKind.Full, RangeRequest.Parse(header, 1000, 16).Kind);
    }

    [Fact]
    public void More_ranges_than_the_limit_are_ignored()
    {
        var many = "bytes=" + string.Join(',', Enumerable.Range(0, 17).Select(i => $"{i}-{i}"));
        Assert.Equal(RangeKind.Full, RangeRequest.Parse(many, 1000, 16).Kind);
        Assert.Equal(RangeKind.Partial, RangeRequest.Parse(many, 1000, 17).Kind);
    }

    [Fact]
    public void Any_range_of_an_empty_file_is_unsatisfiable()
    {
        Assert.Equal(RangeKind.Unsatisfiable, RangeRequest.Parse("bytes=0-", 0, 16).Kind);
        Assert.Equal(RangeKind.Unsatisfiable, RangeRequest.Parse("bytes=-1", 0, 16).Kind);
    }

    [Fact]
    public void Content_range_text()
    {
        Assert.Equal("bytes 5-9/10", new ByteRange(5, 5).ToContentRange(10));
    }
}
