namespace NodeFoundry.Http;

/// <summary>
/// One mapped pattern: <c>/</c>-separated segments, each a literal (matched ordinally, case-sensitive),
/// a capture <c>{name}</c> (exactly one segment), or a final catch-all <c>{*name}</c> (the remaining
/// segments, at least one, joined with <c>/</c>). A pattern ending in <c>/</c> is a prefix: the same as a
/// trailing <c>{*rest}</c>. Matching is against decoded segments, so captures never see dot segments.
/// </summary>
public sealed class HttpRoute
{
    private readonly string[] _segments;

    internal HttpRoute(string pattern, HttpRouteHandler handler, bool acceptsPost = false)
    {
        AcceptsPost = acceptsPost;
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        if (pattern[0] != '/')
        {
            throw new ArgumentException($"route pattern '{pattern}' must start with '/'", nameof(pattern));
        }

        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (pattern.Length > 1 && pattern[^1] == '/')
        {
            segments.Add("{*rest}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.StartsWith('{'))
            {
                if (!segment.EndsWith('}') || segment.Length < 3)
                {
                    throw new ArgumentException($"route pattern '{pattern}': '{segment}' is not {{name}} or {{*name}}", nameof(pattern));
                }

                var catchAll = segment[1] == '*';
                if (catchAll && i != segments.Count - 1)
                {
                    throw new ArgumentException($"route pattern '{pattern}': a catch-all must be the last segment", nameof(pattern));
                }

                if (!names.Add(CaptureName(segment)))
                {
                    throw new ArgumentException($"route pattern '{pattern}' captures '{CaptureName(segment)}' twice", nameof(pattern));
                }
            }
            else if (!HttpPath.IsSafeSegment(segment) || segment.Contains('}', StringComparison.Ordinal))
            {
                throw new ArgumentException($"route pattern '{pattern}': '{segment}' is not a valid literal segment", nameof(pattern));
            }
        }

        Pattern = pattern;
        Handler = handler;
        _segments = [.. segments];
    }

    public string Pattern { get; }

    public HttpRouteHandler Handler { get; }

    /// <summary>POST is answered like GET (the body is not read; the connection closes after the answer). Otherwise POST gets 405.</summary>
    public bool AcceptsPost { get; }

    /// <summary>Captured values when <paramref name="segments"/> match, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        Dictionary<string, string>? values = null;
        for (var i = 0; i < _segments.Length; i++)
        {
            var part = _segments[i];
            if (part.StartsWith("{*", StringComparison.Ordinal))
            {
                if (segments.Count <= i)
                {
                    return null;
                }

                values ??= new(StringComparer.Ordinal);
                values[CaptureName(part)] = string.Join('/', segments.Skip(i));
                return values;
            }

            if (i >= segments.Count)
            {
                return null;
            }

            if (part.StartsWith('{'))
            {
                values ??= new(StringComparer.Ordinal);
                values[CaptureName(part)] = segments[i];
            }
            else if (!string.Equals(part, segments[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return segments.Count == _segments.Length ? values ?? Empty : null;
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static string CaptureName(string segment) => segment.TrimStart('{').TrimStart('*').TrimEnd('}');
}
