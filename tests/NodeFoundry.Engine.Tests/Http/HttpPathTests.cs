using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

public sealed class HttpPathTests
{
    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("52%3A54%3a00", "52:54:00")]
    [InlineData("%25", "%")]
    [InlineData("%252e", "%2e")]
    [InlineData("%C3%A9", "\u00e9")]
    public void Decodes_exactly_once(string raw, string decoded)
    {
        Assert.True(HttpPath.TryDecode(raw, out var text));
        Assert.Equal(decoded, text);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("%g0")]
    [InlineData("%C3")] // truncated UTF-8
    [InlineData("%C0%AF")] // overlong '/': invalid UTF-8, never a separator
    [InlineData("%ED%A0%80")] // surrogate
    public void Refuses_bad_escapes_and_invalid_utf8(string raw)
    {
        Assert.False(HttpPath.TryDecode(raw, out _));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\0")]
    [InlineData("a\u001fb")]
    [InlineData("")]
    public void Unsafe_segments(string segment)
    {
        Assert.False(HttpPath.IsSafeSegment(segment));
    }

    [Fact]
    public void Empty_segments_are_dropped_and_encoded_separators_refused()
    {
        Assert.Equal(HttpParseError.None, HttpPath.TryParse("//a///b//", out var segments));
        Assert.Equal(["a", "b"], segments);
        Assert.Equal(HttpParseError.ForbiddenPath, HttpPath.TryParse("/a%2F..%2Fb", out _));
        Assert.Equal(HttpParseError.InvalidTarget, HttpPath.TryParse("a", out _));
    }
}
