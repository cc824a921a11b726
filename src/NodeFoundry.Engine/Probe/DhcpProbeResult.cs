using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Probe;

/// <summary>What a DHCP server answered a probe.</summary>
public sealed record DhcpProbeResult(DhcpProbeRequest Request, DhcpPacket? Offer, DhcpPacket? Ack, TimeSpan Elapsed, string? Failure)
{
    public bool Answered => Offer is not null;

    public IPAddress? OfferedAddress => Offer?.YourAddress;

    public IPAddress? ServerIdentifier => Offer?.ServerIdentifier;

    /// <summary>The boot file: option 67 when present (it may be longer than the header field), else the <c>file</c> field.</summary>
    public string? BootFile => Offer is null
        ? null
        : Offer.Options.Get(DhcpOptionCode.BootFileName) is { } opt67
            ? System.Text.Encoding.ASCII.GetString(opt67.Span)
            : string.IsNullOrEmpty(Offer.BootFileName) ? null : Offer.BootFileName;

    public IPAddress? NextServer => Offer is null || Offer.ServerAddress.Equals(IPAddress.Any) ? null : Offer.ServerAddress;

    public string? VendorClass => Offer?.VendorClassIdentifier;

    public bool Acknowledged => Ack?.MessageType == DhcpMessageType.Ack;
}
