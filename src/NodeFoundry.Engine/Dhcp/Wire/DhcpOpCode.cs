namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// The BOOTP 'op' byte (RFC 951, RFC 2131 §2). It says who sent the message, not what it means:
/// the meaning of a DHCP message is option 53 (<see cref="DhcpMessageType"/>).
/// </summary>
public enum DhcpOpCode : byte
{
    /// <summary>Client to server (DISCOVER, REQUEST, DECLINE, RELEASE, INFORM).</summary>
    BootRequest = 1,

    /// <summary>Server to client (OFFER, ACK, NAK).</summary>
    BootReply = 2,
}
