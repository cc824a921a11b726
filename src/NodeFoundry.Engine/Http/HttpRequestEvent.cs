using NodeFoundry.Events;

namespace NodeFoundry.Http;

/// <summary>
/// One HTTP request answered (or refused), streamed to Receive-Job and the boot timeline. The client
/// address is in <see cref="BootEvent.IPAddress"/>; the MAC is unknown at this layer (later work can
/// fill it from a route such as <c>/boot/{mac}</c> or from the DHCP lease of the address).
/// </summary>
public sealed record HttpRequestEvent : BootEvent
{
    public override string Source => "http";

    /// <summary>Method as sent; empty when the request line could not be parsed.</summary>
    public required string Method { get; init; }

    /// <summary>Decoded path, or the raw target (possibly truncated) when it could not be decoded.</summary>
    public required string Path { get; init; }

    public required int StatusCode { get; init; }

    /// <summary>Body bytes actually written (0 for HEAD and 304). Compare with <see cref="ContentLength"/> to spot a cut-off download.</summary>
    public long BytesSent { get; init; }

    /// <summary>The Content-Length the response declared, if it declared one.</summary>
    public long? ContentLength { get; init; }

    /// <summary>From the first byte of the request to the last byte of the response.</summary>
    public TimeSpan Duration { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The Range header as sent, if any.</summary>
    public string? Range { get; init; }

    /// <summary>Which route answered: its pattern, <c>static</c> for files, or null for errors before routing.</summary>
    public string? Route { get; init; }

    /// <summary>Why the response is an error, or why the connection ended early (timeout, client gone).</summary>
    public string? Reason { get; init; }

    /// <summary>The client's source port, to tell apart several connections of one client.</summary>
    public int ClientPort { get; init; }
}
