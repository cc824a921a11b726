using System.Text;

namespace NodeFoundry.Http;

/// <summary>
/// What a route handler returns: a body already in memory and its content type. Dynamic content is
/// small (iPXE scripts, answer files, metrics), so it is rendered whole; the server adds Content-Length,
/// Date and <c>Cache-Control: no-store</c> (a rendered script must never be served stale by a cache).
/// </summary>
public sealed record HttpRouteContent
{
    public HttpRouteContent(ReadOnlyMemory<byte> body, string contentType, int statusCode = 200)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (statusCode is 204 or 304)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(body.Length, 0);
        }

        Body = body;
        ContentType = contentType;
        StatusCode = statusCode;
    }

    public ReadOnlyMemory<byte> Body { get; }

    public string ContentType { get; }

    public int StatusCode { get; }

    /// <summary>Why this answer is an error (e.g. the lint finding behind a 500); goes into <see cref="HttpRequestEvent.Reason"/>, never to the client.</summary>
    public string? Reason { get; init; }

    /// <summary>UTF-8 text, <c>text/plain</c> unless told otherwise.</summary>
    public static HttpRouteContent Text(string text, string contentType = ContentTypes.PlainText, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new HttpRouteContent(Encoding.UTF8.GetBytes(text), contentType, statusCode);
    }
}
