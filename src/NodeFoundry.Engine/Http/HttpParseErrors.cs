namespace NodeFoundry.Http;

/// <summary>Maps a parse error to the status code RFC 9110/9112 asks for.</summary>
public static class HttpParseErrors
{
    public static int ToStatusCode(this HttpParseError error) => error switch
    {
        HttpParseError.None => 200,
        HttpParseError.UnknownMethod => 501,
        HttpParseError.UnsupportedTransferEncoding => 501,
        HttpParseError.RequestLineTooLong => 414,
        HttpParseError.UnsupportedVersion => 505,
        HttpParseError.TooManyHeaders => 431,
        HttpParseError.HeadersTooLarge => 431,
        _ => 400,
    };
}
