namespace NodeFoundry.Http;

/// <summary>What one route answered so far: requests by status class (index 0 is 1xx … index 4 is 5xx) and body bytes.</summary>
/// <param name="Route">The route pattern, <c>static</c>, or <c>none</c>.</param>
/// <param name="RequestsByClass">Five counts: 1xx, 2xx, 3xx, 4xx, 5xx.</param>
/// <param name="BytesSent">Response body bytes written.</param>
public sealed record HttpRouteCounts(string Route, IReadOnlyList<long> RequestsByClass, long BytesSent);
