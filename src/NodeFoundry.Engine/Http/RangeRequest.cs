using System.Globalization;

namespace NodeFoundry.Http;

/// <summary>
/// Parses a Range header (RFC 9110 §14.1–14.2) against a known length. A malformed header is ignored
/// (the whole file is sent, as the RFC allows) rather than refused, because a client that sent a bad
/// Range still wants the file. More than <c>maxRanges</c> ranges is also ignored: many small or
/// overlapping ranges are an amplification trick, never what a boot client needs.
/// </summary>
public sealed class RangeRequest
{
    private RangeRequest(RangeKind kind, IReadOnlyList<ByteRange> ranges)
    {
        Kind = kind;
        Ranges = ranges;
    }

    public RangeKind Kind { get; }

    /// <summary>The satisfiable ranges in request order (only for <see cref="RangeKind.Partial"/>).</summary>
    public IReadOnlyList<ByteRange> Ranges { get; }

    public static RangeRequest Full { get; } = new(RangeKind.Full, []);

    public static RangeRequest Parse(string? header, long length, int maxRanges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (header is null)
        {
            return Full;
        }

        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return Full;
        }

        var specs = text[6..].Split(',');
        if (specs.Length > maxRanges)
        {
            return Full;
        }

        var ranges = new List<ByteRange>(specs.Length);
        var any = false;
        foreach (var raw in specs)
        {
            var spec = raw.Trim(' ', '\t');
            if (spec.Length == 0)
            {
                // Empty list elements are allowed by the list syntax (RFC 9110 §5.6.1).
                continue;
            }

            var dash = spec.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                return Full;
            }

            var firstText = spec[..dash];
            var lastText = spec[(dash + 1)..];
            any = true;
            if (firstText.Length == 0)
            {
                // suffix-range: the last N bytes.
                if (!TryParseNumber(lastText, out var suffix))
                {
                    return Full;
                }

                if (suffix > 0 && length > 0)
                {
                    var count = Math.Min(suffix, length);
                    ranges.Add(new ByteRange(length - count, count));
                }

                continue;
            }

            if (!TryParseNumber(firstText, out var first))
            {
                return Full;
            }

            long last;
            if (lastText.Length == 0)
            {
                last = long.MaxValue;
            }
            else if (!TryParseNumber(lastText, out last) || last < first)
            {
                return Full;
            }

            if (first < length)
            {
                var end = Math.Min(last, length - 1);
                ranges.Add(new ByteRange(first, end - first + 1));
            }
        }

        if (!any)
        {
            return Full;
        }

        return ranges.Count == 0 ? new RangeRequest(RangeKind.Unsatisfiable, []) : new RangeRequest(RangeKind.Partial, ranges);
    }

    private static bool TryParseNumber(string text, out long value)
    {
        value = 0;

        // Digits only (no sign, no whitespace), and short enough never to overflow.
        return text.Length is > 0 and <= 18 && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
