using System.Globalization;
using System.Net;
using System.Text;

namespace NodeFoundry.Http;

/// <summary>
/// A pure HTTP/1.1 request-head parser (RFC 9112 §2–§5): bytes in, a request or an error value out.
/// It never throws on input, holds no state between calls (the connection re-parses its buffer when more
/// bytes arrive; heads are small and bounded by <see cref="HttpRequestLimits"/>), and reports limit
/// violations as soon as the bytes received prove them, so a client cannot make us buffer past a limit.
/// Strict where leniency would let a request mean two things (whitespace before a colon, folded lines,
/// duplicate Host or Content-Length, Transfer-Encoding), lenient where firmware varies harmlessly
/// (a bare LF ends a line; up to four empty lines before the request line are skipped; Host may be missing).
/// </summary>
public static class HttpRequestParser
{
    private const int MaxMethodLength = 32;
    private const int MaxLeadingEmptyLines = 4;

    /// <summary>Methods RFC 9110 defines (plus PATCH): these get 405 with Allow; any other token gets 501.</summary>
    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    };

    /// <summary>
    /// Cheap pre-check for a connection that received more bytes: true when <see cref="Parse"/> could now
    /// complete or report a limit (a head end arrived at or after <paramref name="newFrom"/>, or a limit is
    /// already exceeded). Parsing only then keeps a client that sends one byte per packet from making us
    /// re-parse every complete header line on every packet. Never hides a complete head: a head cannot
    /// complete without a line end followed by an empty line. Other errors (a malformed request line) are
    /// only reported once the head ends, or the request timeout answers them.
    /// </summary>
    public static bool MayDecide(ReadOnlySpan<byte> input, int newFrom, HttpRequestLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var tail = input[Math.Clamp(newFrom - 2, 0, input.Length)..];
        if (tail.IndexOf("\n\r\n"u8) >= 0 || tail.IndexOf("\n\n"u8) >= 0)
        {
            return true;
        }

        // Size limits, conservatively (a little early rather than late): the request line, then the header section.
        var start = 0;
        while (start < input.Length && start < 2 * MaxLeadingEmptyLines && input[start] is (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        var lineEnd = input[start..].IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return input.Length - start > limits.MaxRequestLineBytes - 8;
        }

        return lineEnd > limits.MaxRequestLineBytes - 8 || input.Length - (start + lineEnd + 1) > limits.MaxHeaderBytes - 8;
    }

    /// <summary>Parses one request head from the start of <paramref name="input"/>.</summary>
    public static HttpParseResult Parse(ReadOnlySpan<byte> input, HttpRequestLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var pos = 0;

        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line
        // (some clients send a stray CRLF after a previous request's body).
        for (var i = 0; i < MaxLeadingEmptyLines; i++)
        {
            if (input.Length - pos >= 2 && input[pos] == '\r' && input[pos + 1] == '\n')
            {
                pos += 2;
            }
            else if (input.Length - pos >= 1 && input[pos] == '\n')
            {
                pos += 1;
            }
            else if (input.Length - pos == 1 && input[pos] == '\r')
            {
                return HttpParseResult.NeedMore;
            }
            else
            {
                break;
            }
        }

        var lineEnd = input[pos..].IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return input.Length - pos > limits.MaxRequestLineBytes
                ? HttpParseResult.Fail(HttpParseError.RequestLineTooLong)
                : HttpParseResult.NeedMore;
        }

        var line = TrimCr(input.Slice(pos, lineEnd));
        if (line.Length > limits.MaxRequestLineBytes)
        {
            return HttpParseResult.Fail(HttpParseError.RequestLineTooLong);
        }

        pos += lineEnd + 1;
        var lineError = ParseRequestLine(line, out var method, out var target, out var version, out var segments, out var query);
        if (lineError != HttpParseError.None)
        {
            return HttpParseResult.Fail(lineError);
        }

        var headers = new HttpHeaders();
        var headerStart = pos;
        while (true)
        {
            var end = input[pos..].IndexOf((byte)'\n');
            if (end < 0)
            {
                return input.Length - headerStart > limits.MaxHeaderBytes
                    ? HttpParseResult.Fail(HttpParseError.HeadersTooLarge)
                    : HttpParseResult.NeedMore;
            }

            var field = TrimCr(input.Slice(pos, end));
            pos += end + 1;
            if (pos - headerStart > limits.MaxHeaderBytes)
            {
                return HttpParseResult.Fail(HttpParseError.HeadersTooLarge);
            }

            if (field.IsEmpty)
            {
                break;
            }

            if (headers.Count >= limits.MaxHeaderCount)
            {
                return HttpParseResult.Fail(HttpParseError.TooManyHeaders);
            }

            var fieldError = ParseField(field, headers);
            if (fieldError != HttpParseError.None)
            {
                return HttpParseResult.Fail(fieldError);
            }
        }

        var semanticError = CheckFraming(headers, out var contentLength, out var hasTransferEncoding);
        if (semanticError != HttpParseError.None)
        {
            return HttpParseResult.Fail(semanticError);
        }

        var request = new HttpRequest(method, target, segments, query, version, headers, contentLength, hasTransferEncoding);
        return new HttpParseResult(HttpParseStatus.Complete, HttpParseError.None, pos, request);
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == '\r' ? line[..^1] : line;

    private static HttpParseError ParseRequestLine(ReadOnlySpan<byte> line, out string method, out string target, out Version version, out string[] segments, out string? query)
    {
        method = target = string.Empty;
        version = HttpVersion.Version11;
        segments = [];
        query = null;

        // Exactly method SP target SP version: extra spaces would let two parsers split the line differently.
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace || line[(firstSpace + 1)..lastSpace].IndexOf((byte)' ') >= 0)
        {
            return HttpParseError.MalformedRequestLine;
        }

        var methodBytes = line[..firstSpace];
        var targetBytes = line[(firstSpace + 1)..lastSpace];
        var versionBytes = line[(lastSpace + 1)..];
        if (targetBytes.IsEmpty)
        {
            return HttpParseError.MalformedRequestLine;
        }

        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
        if (versionBytes.Length != 8 || !versionBytes[..5].SequenceEqual("HTTP/"u8) || !IsDigit(versionBytes[5]) || versionBytes[6] != '.' || !IsDigit(versionBytes[7]))
        {
            return HttpParseError.MalformedRequestLine;
        }

        if (versionBytes[5] != '1' || versionBytes[7] is not ((byte)'0' or (byte)'1'))
        {
            return HttpParseError.UnsupportedVersion;
        }

        version = versionBytes[7] == '1' ? HttpVersion.Version11 : HttpVersion.Version10;
        if (methodBytes.Length > MaxMethodLength || !IsToken(methodBytes))
        {
            return HttpParseError.InvalidMethod;
        }

        method = Encoding.ASCII.GetString(methodBytes);
        if (!KnownMethods.Contains(method))
        {
            return HttpParseError.UnknownMethod;
        }

        foreach (var b in targetBytes)
        {
            // Visible ASCII only; '#' starts a fragment, which never travels in a request.
            if (b is < 0x21 or > 0x7E || b == '#')
            {
                return HttpParseError.InvalidTarget;
            }
        }

        target = Encoding.ASCII.GetString(targetBytes);
        var path = target.AsSpan();
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            // absolute-form (RFC 9112 §3.2.2): a server MUST accept it; the authority is not ours to check.
            var afterScheme = path[7..];
            var slash = afterScheme.IndexOfAny('/', '?');
            path = slash < 0 ? "/" : afterScheme[slash] == '?' ? string.Concat("/", afterScheme[slash..]) : afterScheme[slash..];
        }
        else if (path.IsEmpty || path[0] != '/')
        {
            // asterisk-form (OPTIONS *) and authority-form (CONNECT) name no file.
            return HttpParseError.InvalidTarget;
        }

        var questionMark = path.IndexOf('?');
        if (questionMark >= 0)
        {
            query = path[(questionMark + 1)..].ToString();
            path = path[..questionMark];
        }

        return HttpPath.TryParse(path, out segments);
    }

    private static HttpParseError ParseField(ReadOnlySpan<byte> field, HttpHeaders headers)
    {
        // obs-fold (a line starting with whitespace) is rejected, as RFC 9112 §5.2 allows.
        if (field[0] is (byte)' ' or (byte)'\t')
        {
            return HttpParseError.MalformedHeader;
        }

        var colon = field.IndexOf((byte)':');

        // A name must be a token right up to the colon: "Host : x" is rejected (RFC 9112 §5.1, a MUST).
        if (colon <= 0 || !IsToken(field[..colon]))
        {
            return HttpParseError.MalformedHeader;
        }

        var value = field[(colon + 1)..];
        while (!value.IsEmpty && value[0] is (byte)' ' or (byte)'\t')
        {
            value = value[1..];
        }

        while (!value.IsEmpty && value[^1] is (byte)' ' or (byte)'\t')
        {
            value = value[..^1];
        }

        foreach (var b in value)
        {
            // field-vchar, SP, HTAB and obs-text; any other control byte (NUL, bare CR) is refused.
            if (b < 0x20 && b != '\t' || b == 0x7F)
            {
                return HttpParseError.MalformedHeader;
            }
        }

        headers.Add(Encoding.ASCII.GetString(field[..colon]), Encoding.Latin1.GetString(value));
        return HttpParseError.None;
    }

    private static HttpParseError CheckFraming(HttpHeaders headers, out long? contentLength, out bool hasTransferEncoding)
    {
        contentLength = null;
        hasTransferEncoding = headers.CountOf("Transfer-Encoding") > 0;
        if (headers.CountOf("Host") > 1)
        {
            return HttpParseError.DuplicateHost;
        }

        foreach (var value in headers.GetAll("Content-Length"))
        {
            foreach (var part in value.Split(','))
            {
                var text = part.Trim();
                if (text.Length is 0 or > 18 || !text.All(char.IsAsciiDigit))
                {
                    return HttpParseError.InvalidContentLength;
                }

                var length = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
                if (contentLength is { } seen && seen != length)
                {
                    return HttpParseError.InvalidContentLength;
                }

                contentLength = length;
            }
        }

        if (hasTransferEncoding)
        {
            // Both framings at once is the classic smuggling shape (RFC 9112 §6.3): refuse it as malformed.
            return contentLength is null ? HttpParseError.UnsupportedTransferEncoding : HttpParseError.InvalidContentLength;
        }

        return HttpParseError.None;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>token = 1*tchar (RFC 9110 §5.6.2).</summary>
    private static bool IsToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            var ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.IndexOf(b) >= 0;
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
