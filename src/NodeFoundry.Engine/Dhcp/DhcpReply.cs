using System.Net;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Dhcp;

/// <summary>A reply and where RFC 2131 §4.1 says it goes.</summary>
public readonly record struct DhcpReply(DhcpPacket Packet, IPEndPoint Destination, int MaxLength);

/// <summary>What handling one request produced: a reply (or none), the event, and whether the journal must be flushed before the reply is sent.</summary>
public readonly record struct DhcpHandleResult(DhcpReply? Reply, LeaseEvent Event, bool RequiresFlush);
