using System.Collections.Concurrent;

namespace NodeFoundry.Http;

/// <summary>
/// Monotonic counters (and one gauge) of one HTTP server, safe to read from any thread while
/// connections write them; the metrics endpoint will read these.
/// </summary>
public sealed class HttpServerCounters
{
    private readonly long[] _byClass = new long[6];
    private long _requests;
    private long _bytesSent;
    private long _activeConnections;
    private long _acceptedConnections;
    private long _rejectedConnections;
    private long _timeouts;
    private long _parseErrors;
    private long _handlerFaults;
    private readonly ConcurrentDictionary<string, RouteCounters> _byRoute = new(StringComparer.Ordinal);
    private Func<HttpPacingState>? _pacing;

    public long Requests => Interlocked.Read(ref _requests);

    public long Informational => Interlocked.Read(ref _byClass[1]);

    public long Successful => Interlocked.Read(ref _byClass[2]);

    public long Redirection => Interlocked.Read(ref _byClass[3]);

    public long ClientErrors => Interlocked.Read(ref _byClass[4]);

    public long ServerErrors => Interlocked.Read(ref _byClass[5]);

    /// <summary>Response body bytes written.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Connections open now (a gauge).</summary>
    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>Connections turned away with 503 because <see cref="HttpServerOptions.MaxConnections"/> were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Connections closed for idling, a slow request head, or a client that stopped reading.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Request heads refused by the parser (400/414/431/501/505).</summary>
    public long ParseErrors => Interlocked.Read(ref _parseErrors);

    /// <summary>Route handlers that threw (answered 500; the server kept going).</summary>
    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>The egress pacer's state now; null when the server runs without <c>http.egressMbps</c> or is stopped.</summary>
    public HttpPacingState? Pacing => Volatile.Read(ref _pacing) is { } read ? read() : null;

    /// <summary>Where <see cref="Pacing"/> reads from while the server runs with a pacer (null: none).</summary>
    internal void UsePacing(Func<HttpPacingState>? read) => Volatile.Write(ref _pacing, read);

    /// <summary>Requests answered with a status of class <paramref name="statusClass"/> (2 for 2xx, …).</summary>
    public long ByClass(int statusClass) => statusClass is >= 1 and <= 5 ? Interlocked.Read(ref _byClass[statusClass]) : 0;

    /// <summary>
    /// Requests and body bytes per route (its pattern, <c>static</c>, or <c>none</c> for requests refused before
    /// routing), each with requests by status class. The keys are the mapped patterns, so the set stays small.
    /// </summary>
    public IReadOnlyList<HttpRouteCounts> ByRoute() =>
        [.. _byRoute.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Snapshot(p.Key))];

    internal void CountRequest(int statusCode, long bodyBytes, string? route = null)
    {
        var statusClass = HttpStatus.ClassOf(statusCode);
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _byClass[statusClass]);
        Interlocked.Add(ref _bytesSent, bodyBytes);
        _byRoute.GetOrAdd(route ?? "none", static _ => new RouteCounters()).Count(statusClass, bodyBytes);
    }

    private sealed class RouteCounters
    {
        private readonly long[] _byClass = new long[6];
        private long _bytes;

        public void Count(int statusClass, long bytes)
        {
            Interlocked.Increment(ref _byClass[statusClass]);
            Interlocked.Add(ref _bytes, bytes);
        }

        public HttpRouteCounts Snapshot(string route) => new(
            route,
            [.. Enumerable.Range(1, 5).Select(c => Interlocked.Read(ref _byClass[c]))],
            Interlocked.Read(ref _bytes));
    }

    internal void ConnectionOpened()
    {
        Interlocked.Increment(ref _acceptedConnections);
        Interlocked.Increment(ref _activeConnections);
    }

    internal void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    internal void CountRejected() => Interlocked.Increment(ref _rejectedConnections);

    internal void CountTimeout() => Interlocked.Increment(ref _timeouts);

    internal void CountParseError() => Interlocked.Increment(ref _parseErrors);

    internal void CountHandlerFault() => Interlocked.Increment(ref _handlerFaults);
}
