using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

public sealed class HttpResponseHeadTests
{
    [Fact]
    public void Golden_bytes_status_line_fields_in_order_blank_line()
    {
        var head = new HttpResponseHead(206)
            .Add("Content-Range", "bytes 0-4/10")
            .Add("Content-Length", "5");
        Assert.Equal("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\nContent-Length: 5\r\n\r\n", head.ToString());
        Assert.Equal(head.ToString().Length, head.ByteCount);
        Assert.Equal(head.ByteCount, head.ToArray().Length);
    }

    [Theory]
    [InlineData(200, "OK")]
    [InlineData(304, "Not Modified")]
    [InlineData(400, "Bad Request")]
    [InlineData(405, "Method Not Allowed")]
    [InlineData(414, "URI Too Long")]
    [InlineData(416, "Range Not Satisfiable")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(505, "HTTP Version Not Supported")]
    public void Reason_phrases(int status, string reason)
    {
        Assert.Equal($"HTTP/1.1 {status} {reason}\r\n\r\n", new HttpResponseHead(status).ToString());
    }

    [Theory]
    [InlineData("X", "a\r\nSet-Cookie: evil")]
    [InlineData("X", "a\nb")]
    [InlineData("X", "caf\u00e9")]
    [InlineData("Bad Name", "v")]
    [InlineData("Bad:Name", "v")]
    public void Header_injection_is_refused_at_the_point_of_the_bug(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => new HttpResponseHead(200).Add(name, value));
    }

    [Fact]
    public void Dates_round_trip_in_all_three_formats()
    {
        var expected = new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(expected));
        foreach (var text in new[] { "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994" })
        {
            Assert.True(HttpDate.TryParse(text, out var parsed), text);
            Assert.Equal(expected, parsed);
        }

        Assert.False(HttpDate.TryParse("yesterday", out _));
        Assert.False(HttpDate.TryParse(null, out _));
    }
}
