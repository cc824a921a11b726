namespace NodeFoundry.Http;

/// <summary>
/// Dynamic content in front of the static files: per-node iPXE scripts, answer files, metrics. Routes
/// are tried in the order they were mapped and the first match answers (map specific patterns before
/// general ones); when none matches, the request falls through to the static file root. Safe to read
/// from many connections at once; map everything before the server starts.
/// </summary>
public sealed class HttpRouteTable
{
    private readonly List<HttpRoute> _routes = [];
    private volatile HttpRoute[] _snapshot = [];

    public IReadOnlyList<HttpRoute> Routes => _snapshot;

    /// <summary>Maps <paramref name="pattern"/> (e.g. <c>/boot/{mac}</c>, <c>/nocloud/{mac}/{file}</c>, <c>/files/</c>; a capture is a whole segment) to a handler.</summary>
    public HttpRouteTable Map(string pattern, HttpRouteHandler handler) => Map(pattern, handler, acceptPost: false);

    /// <summary>
    /// As <see cref="Map(string, HttpRouteHandler)"/>; with <paramref name="acceptPost"/> the route also answers POST
    /// (phone-home: installers POST or GET). The request body is never read: the connection closes after the answer.
    /// </summary>
    public HttpRouteTable Map(string pattern, HttpRouteHandler handler, bool acceptPost)
    {
        var route = new HttpRoute(pattern, handler, acceptPost);
        lock (_routes)
        {
            if (_routes.Any(r => r.Pattern == pattern))
            {
                throw new ArgumentException($"route '{pattern}' is mapped already", nameof(pattern));
            }

            _routes.Add(route);
            _snapshot = [.. _routes];
        }

        return this;
    }

    /// <summary>The first route matching <paramref name="segments"/>, with its captures; false when none does.</summary>
    public bool TryMatch(IReadOnlyList<string> segments, out HttpRoute? route, out IReadOnlyDictionary<string, string> values)
    {
        foreach (var candidate in _snapshot)
        {
            if (candidate.Match(segments) is { } captured)
            {
                route = candidate;
                values = captured;
                return true;
            }
        }

        route = null;
        values = new Dictionary<string, string>();
        return false;
    }
}
