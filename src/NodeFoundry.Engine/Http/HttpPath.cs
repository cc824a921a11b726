using System.Buffers;
using System.Text.Unicode;

namespace NodeFoundry.Http;

/// <summary>
/// Turns a raw path into decoded segments, once. The order matters for confinement: the raw path is
/// split on <c>/</c> first and each segment decoded after, so <c>%2F</c> can never create a separator;
/// a decoded segment that is <c>.</c>, <c>..</c> or holds <c>/</c>, <c>\</c>, NUL or a control
/// character is refused outright (it has no business in a boot server's URL). Decoding happens exactly
/// once: <c>%252e</c> is the literal three characters <c>%2e</c>, not a dot.
/// </summary>
public static class HttpPath
{
    /// <summary>Splits and decodes <paramref name="rawPath"/> (which starts with <c>/</c>); empty segments (doubled slashes) are dropped.</summary>
    public static HttpParseError TryParse(ReadOnlySpan<char> rawPath, out string[] segments)
    {
        segments = [];
        if (rawPath.IsEmpty || rawPath[0] != '/')
        {
            return HttpParseError.InvalidTarget;
        }

        var list = new List<string>();
        var rest = rawPath[1..];
        while (true)
        {
            var slash = rest.IndexOf('/');
            var raw = slash < 0 ? rest : rest[..slash];
            if (!raw.IsEmpty)
            {
                if (!TryDecode(raw, out var segment))
                {
                    return HttpParseError.InvalidPath;
                }

                if (!IsSafeSegment(segment))
                {
                    return HttpParseError.ForbiddenPath;
                }

                list.Add(segment);
            }

            if (slash < 0)
            {
                break;
            }

            rest = rest[(slash + 1)..];
        }

        segments = [.. list];
        return HttpParseError.None;
    }

    /// <summary>Percent-decodes once into UTF-8 text; false on a malformed escape or invalid UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<char> raw, out string decoded)
    {
        decoded = string.Empty;
        if (raw.IndexOf('%') < 0)
        {
            // Non-ASCII raw characters cannot occur (the parser admits only visible ASCII), but a caller
            // outside the parser may pass anything: keep the rule "text in, text out".
            decoded = raw.ToString();
            return true;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(raw.Length);
        var chars = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            var count = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%')
                {
                    if (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2]))
                    {
                        return false;
                    }

                    bytes[count++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                    i += 2;
                }
                else if (c > 0x7F)
                {
                    return false;
                }
                else
                {
                    bytes[count++] = (byte)c;
                }
            }

            var status = Utf8.ToUtf16(bytes.AsSpan(0, count), chars, out _, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                return false;
            }

            decoded = new string(chars, 0, written);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A decoded segment that may name a file under a root: not a dot segment, no separators, no NUL or controls.</summary>
    public static bool IsSafeSegment(string segment)
    {
        if (segment.Length == 0 || segment is "." or "..")
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (c is '/' or '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
