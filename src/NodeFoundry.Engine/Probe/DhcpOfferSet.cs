using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Probe;

/// <summary>One OFFER as it arrived: the packet, who sent it, and how long after the DISCOVER.</summary>
public sealed record ReceivedOffer(DhcpPacket Packet, IPEndPoint From, TimeSpan After)
{
    /// <summary>Option 54, else the datagram's source address: the server a client would answer.</summary>
    public IPAddress Server => Packet.ServerIdentifier ?? From.Address;

    /// <summary>An offer with an address (yiaddr set); a proxyDHCP offer carries boot information only.</summary>
    public bool OffersAddress => !Packet.YourAddress.Equals(IPAddress.Any);

    /// <summary>The boot file: option 67 when present (it may be longer than the header field), else the <c>file</c> field.</summary>
    public string? BootFile => Packet.Options.Get(DhcpOptionCode.BootFileName) is { } option67
        ? System.Text.Encoding.ASCII.GetString(option67.Span).TrimEnd('\0')
        : string.IsNullOrEmpty(Packet.BootFileName) ? null : Packet.BootFileName;

    /// <summary>siaddr, else option 66 when it is an address; null when neither names a server.</summary>
    public IPAddress? NextServer =>
        !Packet.ServerAddress.Equals(IPAddress.Any) ? Packet.ServerAddress
        : Packet.Options.Get(DhcpOptionCode.TftpServerName) is { } option66 && IPAddress.TryParse(System.Text.Encoding.ASCII.GetString(option66.Span).TrimEnd('\0'), out var named) ? named
        : null;
}

/// <summary>Every OFFER that answered one DISCOVER within the collection window, in arrival order.</summary>
public sealed record DhcpOfferSet(DhcpDiscover Request, IReadOnlyList<ReceivedOffer> Offers);
