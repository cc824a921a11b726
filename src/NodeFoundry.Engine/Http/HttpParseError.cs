namespace NodeFoundry.Http;

/// <summary>
/// Why a request head was rejected. The parser returns one of these instead of throwing, so hostile
/// or broken input is a value the connection loop answers (with <see cref="HttpParseErrors.ToStatusCode"/>)
/// and then closes on, never an exception that escapes the server.
/// </summary>
public enum HttpParseError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The request line is not <c>method SP target SP version</c> (400).</summary>
    MalformedRequestLine,

    /// <summary>The method is not an RFC 9110 token (400).</summary>
    InvalidMethod,

    /// <summary>A well-formed method this server does not know at all (501); known but unsupported methods get 405 later.</summary>
    UnknownMethod,

    /// <summary>The request target holds characters a target cannot hold, or has a form we do not serve (400).</summary>
    InvalidTarget,

    /// <summary>Bad percent-encoding or bytes that are not UTF-8 once decoded (400).</summary>
    InvalidPath,

    /// <summary>A dot segment, NUL, control character, backslash or encoded slash in the path (400): never near the file system.</summary>
    ForbiddenPath,

    /// <summary>The request line is longer than the limit (414).</summary>
    RequestLineTooLong,

    /// <summary>An HTTP version other than 1.0 and 1.1 (505).</summary>
    UnsupportedVersion,

    /// <summary>A header line that is not <c>name: value</c>, has whitespace before the colon, is folded, or holds control bytes (400).</summary>
    MalformedHeader,

    /// <summary>More header fields than the limit (431).</summary>
    TooManyHeaders,

    /// <summary>The header section is larger than the limit (431).</summary>
    HeadersTooLarge,

    /// <summary>Content-Length is not a number, or two differ (400).</summary>
    InvalidContentLength,

    /// <summary>More than one Host header (400, RFC 9112 §3.2).</summary>
    DuplicateHost,

    /// <summary>Transfer-Encoding on a request: we accept no request bodies, so no codings (501); with Content-Length as well it is 400.</summary>
    UnsupportedTransferEncoding,
}
