using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Tests.Dhcp.Leases;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>
/// A grant a shared lease store refused (another server committed the address first) is answered with a NAK built
/// from the withheld ACK: same transaction, same client, same relay, option 82 echoed, the reason in option 56.
/// </summary>
public sealed class RefusedGrantTests
{
    private static readonly IPAddress Server = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Relay = IPAddress.Parse("192.0.2.254");
    private static readonly PhysicalAddress Client = PhysicalAddress.Parse("02-00-00-00-00-07");

    [Fact]
    public void The_withheld_ack_becomes_a_nak_to_the_same_relay_for_the_same_transaction()
    {
        using var journal = new InMemoryLeaseJournal();
        var handler = new DhcpMessageHandler(LabFleetFixture.Config, journal, null, new DhcpServerOptions { InterfaceName = "nfbr0" }, new FakeTimeProvider());
        var discover = Relayed(DhcpMessageType.Discover, 0xabcd);
        var offer = handler.Handle(discover, Server, new IPEndPoint(Relay, 67)).Reply!.Value.Packet;
        var request = Relayed(DhcpMessageType.Request, 0xabcd);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        var granted = handler.Handle(request, Server, new IPEndPoint(Relay, 67));
        Assert.Equal(LeaseEventKind.Granted, granted.Event.Kind);

        var refused = handler.RefuseGrant(granted, $"{offer.YourAddress} was taken through another server");

        var nak = refused.Reply!.Value;
        Assert.Equal(DhcpMessageType.Nak, nak.Packet.MessageType);
        Assert.Equal(0xabcdu, nak.Packet.TransactionId);
        Assert.Equal(Client, nak.Packet.MacAddress);
        Assert.Equal(IPAddress.Any, nak.Packet.YourAddress);
        Assert.Equal(Server, nak.Packet.ServerIdentifier);
        Assert.Equal(new IPEndPoint(Relay, 67), nak.Destination);
        Assert.Equal(new byte[] { 1, 3, 0x65, 0x74, 0x30 }, nak.Packet.RelayAgentInformation);
        Assert.Equal($"{offer.YourAddress} was taken through another server", System.Text.Encoding.ASCII.GetString(nak.Packet.Options.Get(DhcpOptionCode.Message)!.Value.Span));
        Assert.False(refused.RequiresFlush);
        Assert.Equal(LeaseEventKind.Refused, refused.Event.Kind);
        Assert.Null(refused.Event.LeaseExpires);
    }

    private static DhcpPacket Relayed(DhcpMessageType type, uint xid)
    {
        var packet = new DhcpPacket { TransactionId = xid, MacAddress = Client, GatewayAddress = Relay };
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        packet.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 3, 0x65, 0x74, 0x30]); // circuit-id "et0"
        return packet;
    }
}
