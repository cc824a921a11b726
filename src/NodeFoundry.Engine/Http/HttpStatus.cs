namespace NodeFoundry.Http;

/// <summary>Reason phrases for the status codes this server sends (RFC 9110 §15).</summary>
public static class HttpStatus
{
    public static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        412 => "Precondition Failed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    };

    /// <summary>1 for 1xx … 5xx; anything else is counted as 5 (it would be our bug).</summary>
    public static int ClassOf(int statusCode) => statusCode is >= 100 and < 600 ? statusCode / 100 : 5;
}
