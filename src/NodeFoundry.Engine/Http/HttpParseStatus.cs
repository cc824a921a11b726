namespace NodeFoundry.Http;

/// <summary>Outcome of one parse attempt over the bytes received so far.</summary>
public enum HttpParseStatus
{
    /// <summary>A whole request head was parsed.</summary>
    Complete,

    /// <summary>No error yet, but the head is not complete: read more bytes and parse again.</summary>
    Incomplete,

    /// <summary>The head is invalid; answer <see cref="HttpParseErrors.ToStatusCode"/> and close.</summary>
    Error,
}
