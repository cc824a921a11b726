namespace NodeFoundry.Http;

/// <summary>
/// A response ready to send: the head, the body as parts, and the open file those parts refer to. The
/// file is opened before the head is written, so Content-Length, ETag and the bytes sent all describe
/// the same open file even if the path is replaced meanwhile.
/// </summary>
internal sealed class HttpResponse : IDisposable
{
    public HttpResponse(HttpResponseHead head)
    {
        Head = head;
    }

    public HttpResponseHead Head { get; }

    public List<ResponsePart> Parts { get; } = [];

    /// <summary>The open file <see cref="ResponsePart.IsFile"/> parts are read from; owned and closed by this response.</summary>
    public FileStream? File { get; set; }

    /// <summary>The declared Content-Length, or null when the status has no body (304).</summary>
    public long? ContentLength { get; set; }

    /// <summary>A HEAD response: the head describes a body that is never read or sent.</summary>
    public bool HeadOnly { get; init; }

    /// <summary>Close the connection after this response (errors, request bodies, Connection: close).</summary>
    public bool Close { get; set; }

    /// <summary>The route pattern, <c>static</c>, or null before routing.</summary>
    public string? Route { get; set; }

    /// <summary>Why an error response was chosen; goes into the request event.</summary>
    public string? Reason { get; set; }

    /// <summary>The MAC a route captured (e.g. <c>/boot/{mac}.ipxe</c>); goes into the request event.</summary>
    public System.Net.NetworkInformation.PhysicalAddress? MacAddress { get; set; }

    public long BodyLength => Parts.Sum(p => p.Length);

    public void Dispose() => File?.Dispose();
}
