namespace NodeFoundry.Http;

/// <summary>What <see cref="HttpRequestParser.Parse"/> found: a request and how many bytes it used, a need for more bytes, or an error.</summary>
public readonly record struct HttpParseResult(HttpParseStatus Status, HttpParseError Error, int Consumed, HttpRequest? Request)
{
    internal static HttpParseResult NeedMore => new(HttpParseStatus.Incomplete, HttpParseError.None, 0, null);

    internal static HttpParseResult Fail(HttpParseError error) => new(HttpParseStatus.Error, error, 0, null);

    /// <summary>The status code to answer an error with (400, 414, 431, 501, 505).</summary>
    public int StatusCode => Error.ToStatusCode();
}
