using System.Net;

namespace NodeFoundry.Http;

/// <summary>
/// A parsed request head. The path is already percent-decoded once and split into segments with empty
/// segments dropped (so <c>//a//b</c> is <c>/a/b</c>); dot segments and other dangerous bytes were
/// rejected by the parser, so handlers and the static file resolver never see them.
/// </summary>
public sealed class HttpRequest
{
    internal HttpRequest(string method, string target, IReadOnlyList<string> segments, string? query, Version version, HttpHeaders headers, long? contentLength, bool hasTransferEncoding)
    {
        Method = method;
        Target = target;
        Segments = segments;
        Query = query;
        Version = version;
        Headers = headers;
        ContentLength = contentLength;
        HasTransferEncoding = hasTransferEncoding;
    }

    /// <summary>The method as sent (methods are case-sensitive: <c>get</c> is not GET).</summary>
    public string Method { get; }

    /// <summary>The request target exactly as sent, still percent-encoded.</summary>
    public string Target { get; }

    /// <summary>Decoded, non-empty path segments.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The decoded path, <c>/</c> joined: what logs and events show.</summary>
    public string Path => "/" + string.Join('/', Segments);

    /// <summary>The raw query (after <c>?</c>, still encoded), or null when the target had none.</summary>
    public string? Query { get; }

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public Version Version { get; }

    public HttpHeaders Headers { get; }

    /// <summary>The declared body length, if any. We serve no request bodies: a request with one is answered, then the connection closed.</summary>
    public long? ContentLength { get; }

    public bool HasTransferEncoding { get; }

    /// <summary>True when the request carries a body we would have to skip to find the next request.</summary>
    public bool HasBody => HasTransferEncoding || ContentLength > 0;

    /// <summary>Persistent connection wanted: HTTP/1.1 unless <c>Connection: close</c>; HTTP/1.0 only with <c>Connection: keep-alive</c>.</summary>
    public bool KeepAlive => Version == HttpVersion.Version11
        ? !Headers.HasToken("Connection", "close")
        : Headers.HasToken("Connection", "keep-alive");

    public string? UserAgent => Headers.Get("User-Agent");

    /// <summary>The value of query parameter <paramref name="name"/>, percent-decoded, or null. <c>+</c> stays a plus (this is not a form).</summary>
    public string? GetQueryValue(string name)
    {
        if (Query is null)
        {
            return null;
        }

        foreach (var pair in Query.Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            if (HttpPath.TryDecode(key, out var decodedKey) && decodedKey == name)
            {
                return equals < 0 ? string.Empty : HttpPath.TryDecode(pair.AsSpan(equals + 1), out var value) ? value : null;
            }
        }

        return null;
    }
}
