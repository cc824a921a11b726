using System.Net;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

public sealed class HttpRouteTableTests
{
    private static HttpRouteContent? Nothing(HttpRouteContext context) => null;

    [Theory]
    [InlineData("/boot/{mac}", "boot/52:54:00:12:34:56", "mac=52:54:00:12:34:56")]
    [InlineData("/nocloud/{mac}/{file}", "nocloud/aa/user-data", "mac=aa;file=user-data")]
    [InlineData("/files/", "files/a/b/c", "rest=a/b/c")]
    [InlineData("/files/{*path}", "files/a", "path=a")]
    [InlineData("/metrics", "metrics", "")]
    [InlineData("/", "", "")]
    public void Patterns_match_and_capture(string pattern, string path, string expected)
    {
        var table = new HttpRouteTable().Map(pattern, Nothing);
        Assert.True(table.TryMatch(Segments(path), out var route, out var values));
        Assert.Equal(pattern, route!.Pattern);
        Assert.Equal(expected, string.Join(';', values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}").OrderBy(s => s.Split('=')[0] == "mac" ? 0 : 1)));
    }

    [Theory]
    [InlineData("/boot/{mac}", "boot")]
    [InlineData("/boot/{mac}", "boot/a/b")]
    [InlineData("/boot/{mac}", "Boot/a")] // literals are case-sensitive, like the file system
    [InlineData("/files/", "files")] // a prefix needs at least one segment after it
    [InlineData("/metrics", "metrics/x")]
    public void Non_matches(string pattern, string path)
    {
        Assert.False(new HttpRouteTable().Map(pattern, Nothing).TryMatch(Segments(path), out _, out _));
    }

    [Fact]
    public void First_mapped_wins()
    {
        var table = new HttpRouteTable().Map("/boot/default", Nothing).Map("/boot/{mac}", Nothing);
        Assert.True(table.TryMatch(["boot", "default"], out var route, out _));
        Assert.Equal("/boot/default", route!.Pattern);
    }

    [Theory]
    [InlineData("boot/{mac}")]
    [InlineData("/boot/{mac}.ipxe")]
    [InlineData("/{*rest}/x")]
    [InlineData("/{a}/{a}")]
    [InlineData("/a/../b")]
    [InlineData("/{}")]
    public void Invalid_patterns_are_refused_when_mapped(string pattern)
    {
        Assert.Throws<ArgumentException>(() => new HttpRouteTable().Map(pattern, Nothing));
    }

    [Fact]
    public void Mapping_the_same_pattern_twice_is_refused()
    {
        var table = new HttpRouteTable().Map("/a", Nothing);
        Assert.Throws<ArgumentException>(() => table.Map("/a", Nothing));
    }

    [Fact]
    public void Context_exposes_captures_query_and_client()
    {
        var parsed = HttpRequestParser.Parse("GET /boot/x?arch=efi HTTP/1.1\r\n\r\n"u8, new HttpRequestLimits());
        var context = new HttpRouteContext(parsed.Request!, new Dictionary<string, string> { ["mac"] = "x" }, new IPEndPoint(IPAddress.Loopback, 1234));
        Assert.Equal("x", context["mac"]);
        Assert.Null(context["nope"]);
        Assert.Equal("efi", context.Query("arch"));
        Assert.Equal(["boot", "x"], context.Segments);
        Assert.Equal(1234, context.Client.Port);
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
