namespace NodeFoundry.Http;

/// <summary>
/// Renders one dynamic response. Returns null for "no such thing here" (404). Runs on the connection's
/// task for GET and HEAD alike (HEAD sends the same head without the body), so it must be quick and
/// must not block on the network; a handler that throws gets the client a 500 and is counted.
/// </summary>
public delegate HttpRouteContent? HttpRouteHandler(HttpRouteContext context);
