using System.Net;

namespace NodeFoundry.Http;

/// <summary>What a route handler sees: the parsed request, the values its pattern captured, and who asked.</summary>
public sealed class HttpRouteContext
{
    public HttpRouteContext(HttpRequest request, IReadOnlyDictionary<string, string> values, IPEndPoint client)
    {
        Request = request ?? throw new ArgumentNullException(nameof(request));
        Values = values ?? throw new ArgumentNullException(nameof(values));
        Client = client ?? throw new ArgumentNullException(nameof(client));
    }

    public HttpRequest Request { get; }

    /// <summary>Decoded path segments (no empty ones: <c>//a//b</c> arrives as a, b).</summary>
    public IReadOnlyList<string> Segments => Request.Segments;

    /// <summary>Captured pattern values by name: <c>{mac}</c> → "52:54:00:12:34:56" (already decoded once from <c>52%3A54%3A…</c>).</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    public IPEndPoint Client { get; }

    /// <summary>The client's MAC when the route names one (set by the handler); the server puts it into <see cref="HttpRequestEvent"/>, even for a 404.</summary>
    public System.Net.NetworkInformation.PhysicalAddress? MacAddress { get; set; }

    /// <summary>A captured value, or null.</summary>
    public string? this[string name] => Values.GetValueOrDefault(name);

    /// <summary>A decoded query parameter, or null.</summary>
    public string? Query(string name) => Request.GetQueryValue(name);
}
