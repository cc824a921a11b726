namespace NodeFoundry.Net;

/// <summary>
/// What one engine has put on the server's link so far, headers included: the HTTP pacer reads every other engine's
/// meter and paces the bulk downloads into what they leave of the link's budget (<c>http.egressMbps</c>). Only a
/// running total: the reader takes differences over its own period, so the writer never needs a clock.
/// </summary>
public interface IEgressMeter
{
    /// <summary>Bytes sent since the engine started, as they occupy the wire (Ethernet, IP and transport headers included).</summary>
    long WireBytesSent { get; }
}
