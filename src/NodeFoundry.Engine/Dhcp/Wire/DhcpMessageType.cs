namespace NodeFoundry.Dhcp.Wire;

/// <summary>DHCP message type, the one-byte value of option 53 (RFC 2132 §9.6).</summary>
public enum DhcpMessageType : byte
{
    Discover = 1,
    Offer,
    Request,
    Decline,
    Ack,
    Nak,
    Release,
    Inform,
}
