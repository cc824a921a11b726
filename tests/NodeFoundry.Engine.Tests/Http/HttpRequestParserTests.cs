using System.Net;
using System.Text;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>The request-head parser as a pure function: golden heads in, typed requests or error values out.</summary>
public sealed class HttpRequestParserTests
{
    private static readonly HttpRequestLimits Limits = new();

    private static HttpParseResult Parse(string text, HttpRequestLimits? limits = null) =>
        HttpRequestParser.Parse(Encoding.Latin1.GetBytes(text), limits ?? Limits);

    private static HttpRequest Complete(string text)
    {
        var result = Parse(text);
        Assert.True(result.Status == HttpParseStatus.Complete, $"{result.Status} {result.Error}");
        return result.Request!;
    }

    [Fact]
    public void Golden_ipxe_request_parses_field_by_field()
    {
        // What iPXE 1.21 sends for `chain http://192.0.2.1/boot/${mac}` with mac 52:54:00:12:34:56.
        const string head = "GET /boot/52%3A54%3A00%3A12%3A34%3A56 HTTP/1.1\r\n" // request line: %3A is ':' (iPXE encodes it)
            + "Connection: keep-alive\r\n"
            + "User-Agent: iPXE/1.21.1+ (g988d2)\r\n"
            + "Host: 192.0.2.1\r\n"
            + "\r\n";
        var result = Parse(head);
        Assert.Equal(HttpParseStatus.Complete, result.Status);
        Assert.Equal(Encoding.ASCII.GetByteCount(head), result.Consumed);
        var request = result.Request!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/boot/52%3A54%3A00%3A12%3A34%3A56", request.Target);
        Assert.Equal(["boot", "52:54:00:12:34:56"], request.Segments);
        Assert.Equal("/boot/52:54:00:12:34:56", request.Path);
        Assert.Null(request.Query);
        Assert.Equal(HttpVersion.Version11, request.Version);
        Assert.Equal("iPXE/1.21.1+ (g988d2)", request.UserAgent);
        Assert.Equal("192.0.2.1", request.Headers.Get("host"));
        Assert.True(request.KeepAlive);
        Assert.False(request.HasBody);
    }

    [Fact]
    public void Golden_ovmf_http_boot_head_request()
    {
        // EDK2 HttpBootDxe: HEAD first (to learn Content-Length), then GET.
        var request = Complete("HEAD /ipxe.efi HTTP/1.1\r\nHost: 192.0.2.1\r\nAccept: */*\r\nUser-Agent: UefiHttpBoot/1.0\r\n\r\n");
        Assert.Equal("HEAD", request.Method);
        Assert.Equal(["ipxe.efi"], request.Segments);
        Assert.Equal("UefiHttpBoot/1.0", request.UserAgent);
    }

    [Fact]
    public void Consumed_stops_at_the_end_of_the_head_so_pipelined_requests_stay_buffered()
    {
        const string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        var result = Parse(first + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(first.Length, result.Consumed);
        Assert.Equal(["a"], result.Request!.Segments);
    }

    [Fact]
    public void Every_strict_prefix_of_a_valid_head_is_incomplete_not_an_error()
    {
        const string head = "GET /sub/a.txt?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-1\r\n\r\n";
        for (var length = 0; length < head.Length; length++)
        {
            var result = Parse(head[..length]);
            Assert.True(result.Status == HttpParseStatus.Incomplete, $"prefix of {length} bytes: {result.Status} {result.Error}");
        }
    }

    [Fact]
    public void May_decide_only_once_the_head_ends_when_fed_byte_by_byte()
    {
        var head = Encoding.ASCII.GetBytes("GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: iPXE\r\n\r\n");
        for (var length = 1; length <= head.Length; length++)
        {
            var decide = HttpRequestParser.MayDecide(head.AsSpan(0, length), length - 1, Limits);
            Assert.Equal(length == head.Length, decide);
        }

        Assert.True(HttpRequestParser.MayDecide(Encoding.ASCII.GetBytes("GET /" + new string('a', 9000)), 8000, Limits));
        Assert.True(HttpRequestParser.MayDecide(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: " + new string('a', 17000)), 16000, Limits));
    }

    [Theory]
    [InlineData("GET //a//b HTTP/1.1", "a/b")]
    [InlineData("GET /a/b/ HTTP/1.1", "a/b")]
    [InlineData("GET / HTTP/1.1", "")]
    [InlineData("GET /a%252e%252e HTTP/1.1", "a%2e%2e")] // decoded once: %25 is '%', the rest stays text
    [InlineData("GET /%E2%9C%93.txt HTTP/1.1", "\u2713.txt")] // UTF-8 decoded
    [InlineData("GET http://192.0.2.1:8080/x/y?q=1 HTTP/1.1", "x/y")] // absolute-form
    [InlineData("GET http://192.0.2.1 HTTP/1.1", "")]
    [InlineData("GET /...txt HTTP/1.1", "...txt")] // dots inside a name are fine
    [InlineData("GET /a..b HTTP/1.1", "a..b")]
    public void Paths_are_split_then_decoded_once(string requestLine, string segments)
    {
        var request = Complete(requestLine + "\r\nHost: x\r\n\r\n");
        Assert.Equal(segments, string.Join('/', request.Segments));
    }

    [Fact]
    public void Query_values_are_decoded_and_plus_stays_plus()
    {
        var request = Complete("GET /x?mac=52%3A54%3A00&flag&name=a+b HTTP/1.1\r\n\r\n");
        Assert.Equal("mac=52%3A54%3A00&flag&name=a+b", request.Query);
        Assert.Equal("52:54:00", request.GetQueryValue("mac"));
        Assert.Equal(string.Empty, request.GetQueryValue("flag"));
        Assert.Equal("a+b", request.GetQueryValue("name"));
        Assert.Null(request.GetQueryValue("missing"));
    }

    [Theory]
    [InlineData("GET /x HTTP/1.1\nHost: x\n\n")] // bare LF line ends
    [InlineData("\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n")] // stray empty line first
    [InlineData("GET /x HTTP/1.1\r\n\r\n")] // no Host: tolerated (firmware varies)
    [InlineData("GET /x HTTP/1.1\r\nHost:x\r\nX-Empty:\r\n\r\n")] // no OWS, empty value
    public void Lenient_where_leniency_is_unambiguous(string head)
    {
        Assert.Equal(["x"], Complete(head).Segments);
    }

    [Fact]
    public void Header_values_are_trimmed_and_keep_obs_text()
    {
        var request = Complete("GET / HTTP/1.1\r\nHost: \t x \t\r\nX-Latin: caf\xe9\r\n\r\n");
        Assert.Equal("x", request.Headers.Get("Host"));
        Assert.Equal("caf\u00e9", request.Headers.Get("x-latin"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    public void Keep_alive_follows_version_and_connection_tokens(string head, bool keepAlive)
    {
        Assert.Equal(keepAlive, Complete(head).KeepAlive);
    }

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET / HTTP/1.1 \r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET /a b HTTP/1.1\r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET /\r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET / http/1.1\r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET / HTTP/1.10\r\n\r\n", HttpParseError.MalformedRequestLine, 400)]
    [InlineData("GET / HTTP/2.0\r\n\r\n", HttpParseError.UnsupportedVersion, 505)]
    [InlineData("GET / HTTP/1.2\r\n\r\n", HttpParseError.UnsupportedVersion, 505)]
    [InlineData("GET / HTTP/0.9\r\n\r\n", HttpParseError.UnsupportedVersion, 505)]
    [InlineData("BREW /pot HTTP/1.1\r\n\r\n", HttpParseError.UnknownMethod, 501)]
    [InlineData("get / HTTP/1.1\r\n\r\n", HttpParseError.UnknownMethod, 501)]
    [InlineData("G@T / HTTP/1.1\r\n\r\n", HttpParseError.InvalidMethod, 400)]
    [InlineData("GET * HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, 400)]
    [InlineData("GET a.txt HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, 400)]
    [InlineData("GET /a#frag HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, 400)]
    [InlineData("GET /a\x7f HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, 400)]
    [InlineData("GET /a\xe9 HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, 400)]
    [InlineData("GET /%zz HTTP/1.1\r\n\r\n", HttpParseError.InvalidPath, 400)]
    [InlineData("GET /%4 HTTP/1.1\r\n\r\n", HttpParseError.InvalidPath, 400)]
    [InlineData("GET /%ff%fe HTTP/1.1\r\n\r\n", HttpParseError.InvalidPath, 400)]
    [InlineData("GET /../etc/passwd HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a/./b HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /%2e%2e/etc HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /%2E%2e/etc HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a%2fb HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a%5cb HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a\\b HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a%00.txt HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET /a%0d%0aX:1 HTTP/1.1\r\n\r\n", HttpParseError.ForbiddenPath, 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : x\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\nNoColon\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\n: empty-name\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", HttpParseError.MalformedHeader, 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HttpParseError.DuplicateHost, 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", HttpParseError.InvalidContentLength, 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", HttpParseError.InvalidContentLength, 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", HttpParseError.InvalidContentLength, 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", HttpParseError.InvalidContentLength, 400)]
    [InlineData("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.UnsupportedTransferEncoding, 501)]
    [InlineData("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", HttpParseError.InvalidContentLength, 400)]
    public void Malformed_heads_are_error_values_with_their_status(string head, HttpParseError error, int status)
    {
        var result = Parse(head);
        Assert.Equal(HttpParseStatus.Error, result.Status);
        Assert.Equal(error, result.Error);
        Assert.Equal(status, result.StatusCode);
        Assert.Null(result.Request);
    }

    [Fact]
    public void Same_content_length_twice_is_accepted()
    {
        Assert.Equal(5, Complete("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n").ContentLength);
    }

    [Fact]
    public void Request_line_over_the_limit_is_414_before_its_end_arrives()
    {
        var limits = new HttpRequestLimits { MaxRequestLineBytes = 100 };
        var incomplete = Parse("GET /" + new string('a', 200), limits);
        Assert.Equal(HttpParseError.RequestLineTooLong, incomplete.Error);
        Assert.Equal(414, incomplete.StatusCode);

        var complete = Parse("GET /" + new string('a', 100) + " HTTP/1.1\r\n\r\n", limits);
        Assert.Equal(HttpParseError.RequestLineTooLong, complete.Error);

        var atLimit = Parse("GET /" + new string('a', 100 - 14) + " HTTP/1.1\r\n\r\n", limits);
        Assert.Equal(HttpParseStatus.Complete, atLimit.Status);
    }

    [Fact]
    public void More_header_fields_than_the_limit_is_431()
    {
        var limits = new HttpRequestLimits { MaxHeaderCount = 10 };
        var fields = string.Concat(Enumerable.Range(0, 11).Select(i => $"X-{i}: v\r\n"));
        var result = Parse("GET / HTTP/1.1\r\n" + fields + "\r\n", limits);
        Assert.Equal(HttpParseError.TooManyHeaders, result.Error);
        Assert.Equal(431, result.StatusCode);

        var ten = string.Concat(Enumerable.Range(0, 10).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\n" + ten + "\r\n", limits).Status);
    }

    [Fact]
    public void Header_section_over_the_limit_is_431_before_its_end_arrives()
    {
        var limits = new HttpRequestLimits { MaxHeaderBytes = 200 };
        var unfinished = Parse("GET / HTTP/1.1\r\nX-Big: " + new string('v', 300), limits);
        Assert.Equal(HttpParseError.HeadersTooLarge, unfinished.Error);
        Assert.Equal(431, unfinished.StatusCode);

        var finished = Parse("GET / HTTP/1.1\r\nX-Big: " + new string('v', 300) + "\r\n\r\n", limits);
        Assert.Equal(HttpParseError.HeadersTooLarge, finished.Error);
    }

    [Fact]
    public void Empty_and_whitespace_inputs_are_incomplete_or_errors_never_exceptions()
    {
        Assert.Equal(HttpParseStatus.Incomplete, Parse(string.Empty).Status);
        Assert.Equal(HttpParseStatus.Incomplete, Parse("\r").Status);
        Assert.Equal(HttpParseStatus.Incomplete, Parse("\r\n\r\n").Status);
        Assert.Equal(HttpParseStatus.Error, Parse("\r\n\r\n\r\n\r\n\r\n").Status);
        Assert.Equal(HttpParseStatus.Error, Parse(" \r\n").Status);
    }
}
