using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Fleet;
using NodeFoundry.Tests.Dhcp.Leases;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>RFC 2131's exchanges through the handler, in memory: what each message gets back and where it is sent.</summary>
public sealed class DhcpMessageHandlerTests
{
    private static readonly IPAddress Server = IPAddress.Parse("192.0.2.1");
    private static readonly IPEndPoint ClientSource = new(IPAddress.Any, 68);
    private static readonly PhysicalAddress Stranger = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52-54-00-00-00-01");

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryLeaseJournal _journal = new();

    private DhcpMessageHandler Handler(FleetConfig? fleet = null, DhcpServerOptions? options = null) =>
        new(fleet ?? LabFleetFixture.Config, _journal, null, options ?? new DhcpServerOptions { InterfaceName = "nfbr0" }, _time);

    private static DhcpPacket Message(DhcpMessageType type, PhysicalAddress mac, ushort? arch = 0, uint xid = 0x1234, bool ipxe = false)
    {
        var packet = new DhcpPacket { TransactionId = xid, MacAddress = mac };
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        if (arch is { } a)
        {
            packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, a);
            packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, $"PXEClient:Arch:{a:D5}:UNDI:002001");
        }

        if (ipxe)
        {
            packet.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
        }

        return packet;
    }

    private static DhcpPacket RequestFor(DhcpPacket offer, PhysicalAddress mac, ushort? arch = 0)
    {
        var request = Message(DhcpMessageType.Request, mac, arch, offer.TransactionId);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        return request;
    }

    [Fact]
    public void Discover_gets_an_offer_broadcast_with_boot_and_scope_options()
    {
        var result = Handler().Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource);

        var reply = result.Reply!.Value;
        Assert.Equal(DhcpMessageType.Offer, reply.Packet.MessageType);
        Assert.Equal(new IPEndPoint(IPAddress.Broadcast, 68), reply.Destination);
        Assert.Equal(IPAddress.Parse("192.0.2.150"), reply.Packet.YourAddress);
        Assert.Equal(Server, reply.Packet.ServerAddress);
        Assert.Equal("undionly.kpxe", reply.Packet.BootFileName);
        Assert.Equal(Server, reply.Packet.ServerIdentifier);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), new IPAddress(reply.Packet.Options.Get(DhcpOptionCode.SubnetMask)!.Value.Span));
        Assert.Equal(300u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reply.Packet.Options.Get(DhcpOptionCode.LeaseTime)!.Value.Span));
        Assert.False(result.RequiresFlush); // an offer promises nothing durable
        Assert.Equal(LeaseEventKind.Offered, result.Event.Kind);
    }

    [Fact]
    public void Request_after_offer_is_acked_and_must_be_flushed_before_sending()
    {
        var handler = Handler();
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource).Reply!.Value.Packet;
        var ack = handler.Handle(RequestFor(offer, Stranger), Server, ClientSource);

        Assert.Equal(DhcpMessageType.Ack, ack.Reply!.Value.Packet.MessageType);
        Assert.Equal(offer.YourAddress, ack.Reply.Value.Packet.YourAddress);
        Assert.True(ack.RequiresFlush);
        Assert.Equal(LeaseEventKind.Granted, ack.Event.Kind);
        Assert.Equal(offer.YourAddress, handler.Leases.FindByMac(Stranger)!.Address);
    }

    [Fact]
    public void Two_clients_with_the_same_xid_get_different_addresses()
    {
        // OVMF seeds xids from the RTC: VMs started together send identical xids. State is keyed on MAC.
        var handler = Handler();
        var other = PhysicalAddress.Parse("02-00-00-00-00-02");
        var a = handler.Handle(Message(DhcpMessageType.Discover, Stranger, xid: 7), Server, ClientSource).Reply!.Value.Packet;
        var b = handler.Handle(Message(DhcpMessageType.Discover, other, xid: 7), Server, ClientSource).Reply!.Value.Packet;
        Assert.NotEqual(a.YourAddress, b.YourAddress);
        Assert.Equal(DhcpMessageType.Ack, handler.Handle(RequestFor(a, Stranger), Server, ClientSource).Reply!.Value.Packet.MessageType);
        Assert.Equal(DhcpMessageType.Ack, handler.Handle(RequestFor(b, other), Server, ClientSource).Reply!.Value.Packet.MessageType);
    }

    [Fact]
    public void Request_for_another_clients_address_is_naked()
    {
        var handler = Handler();
        var other = PhysicalAddress.Parse("02-00-00-00-00-02");
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource).Reply!.Value.Packet;
        handler.Handle(RequestFor(offer, Stranger), Server, ClientSource);

        var thief = handler.Handle(RequestFor(offer, other), Server, ClientSource);
        Assert.Equal(DhcpMessageType.Nak, thief.Reply!.Value.Packet.MessageType);
        Assert.Equal(new IPEndPoint(IPAddress.Broadcast, 68), thief.Reply.Value.Destination);
        Assert.Equal(LeaseEventKind.Refused, thief.Event.Kind);
    }

    [Fact]
    public void Request_off_the_network_or_outside_the_clients_range_is_naked_with_a_reason()
    {
        var handler = Handler();
        var wrongNet = Message(DhcpMessageType.Request, Stranger);
        wrongNet.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, IPAddress.Parse("198.51.100.7"));
        Assert.Equal(DhcpMessageType.Nak, handler.Handle(wrongNet, Server, ClientSource).Reply!.Value.Packet.MessageType);

        // A PXE client asking for a normal-range address (INIT-REBOOT after an OS lease) restarts in the PXE range.
        var wrongRange = Message(DhcpMessageType.Request, Stranger);
        wrongRange.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, IPAddress.Parse("192.0.2.120"));
        var nak = handler.Handle(wrongRange, Server, ClientSource);
        Assert.Equal(DhcpMessageType.Nak, nak.Reply!.Value.Packet.MessageType);
        Assert.Contains("PXE", nak.Event.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_selecting_another_server_is_ignored()
    {
        var request = Message(DhcpMessageType.Request, Stranger);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, IPAddress.Parse("192.0.2.150"));
        request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse("192.0.2.254"));
        var result = Handler().Handle(request, Server, ClientSource);
        Assert.Null(result.Reply);
        Assert.Equal(LeaseEventKind.Ignored, result.Event.Kind);
    }

    [Fact]
    public void Known_node_gets_its_reservation_and_hostname()
    {
        var handler = Handler();
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Node01), Server, ClientSource).Reply!.Value.Packet;
        Assert.Equal(IPAddress.Parse("192.0.2.11"), offer.YourAddress);
        Assert.Equal("node01", offer.HostName);
        var ack = handler.Handle(RequestFor(offer, Node01), Server, ClientSource).Reply!.Value.Packet;
        Assert.Equal(IPAddress.Parse("192.0.2.11"), ack.YourAddress);
    }

    [Fact]
    public void Renewal_is_unicast_to_ciaddr_and_reported_as_renewed()
    {
        var handler = Handler();
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource).Reply!.Value.Packet;
        handler.Handle(RequestFor(offer, Stranger), Server, ClientSource);
        _time.Advance(TimeSpan.FromMinutes(2));

        var renew = Message(DhcpMessageType.Request, Stranger);
        renew.ClientAddress = offer.YourAddress;
        var result = handler.Handle(renew, Server, new IPEndPoint(offer.YourAddress, 68));
        Assert.Equal(DhcpMessageType.Ack, result.Reply!.Value.Packet.MessageType);
        Assert.Equal(new IPEndPoint(offer.YourAddress, 68), result.Reply.Value.Destination);
        Assert.Equal(LeaseEventKind.Renewed, result.Event.Kind);
    }

    [Fact]
    public void Relayed_discover_is_answered_to_the_relay_on_port_67_with_option_82_echoed()
    {
        var discover = Message(DhcpMessageType.Discover, Stranger);
        discover.GatewayAddress = IPAddress.Parse("192.0.2.254");
        discover.Hops = 1;
        discover.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 3, 0x65, 0x74, 0x30]); // circuit-id "et0"

        var result = Handler().Handle(discover, Server, new IPEndPoint(IPAddress.Parse("192.0.2.254"), 67));
        var reply = result.Reply!.Value;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.254"), 67), reply.Destination);
        Assert.Equal(IPAddress.Parse("192.0.2.254"), reply.Packet.GatewayAddress);
        Assert.Equal(new byte[] { 1, 3, 0x65, 0x74, 0x30 }, reply.Packet.RelayAgentInformation);
        Assert.Equal(IPAddress.Parse("192.0.2.254"), result.Event.RelayAgent);
    }

    [Fact]
    public void Relay_from_an_unknown_network_is_ignored_with_the_fix()
    {
        var discover = Message(DhcpMessageType.Discover, Stranger);
        discover.GatewayAddress = IPAddress.Parse("198.51.100.1");
        var result = Handler().Handle(discover, Server, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 67));
        Assert.Null(result.Reply);
        Assert.Contains("relayAgents", result.Event.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decline_quarantines_the_address_and_the_next_offer_differs()
    {
        var handler = Handler();
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource).Reply!.Value.Packet;
        handler.Handle(RequestFor(offer, Stranger), Server, ClientSource);

        var decline = Message(DhcpMessageType.Decline, Stranger);
        decline.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        decline.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        var declined = handler.Handle(decline, Server, ClientSource);
        Assert.Equal(LeaseEventKind.Declined, declined.Event.Kind);
        Assert.True(declined.RequiresFlush);

        var again = handler.Handle(Message(DhcpMessageType.Discover, Stranger, xid: 99), Server, ClientSource).Reply!.Value.Packet;
        Assert.NotEqual(offer.YourAddress, again.YourAddress);
    }

    [Fact]
    public void Release_frees_the_address_for_others()
    {
        var handler = Handler();
        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource).Reply!.Value.Packet;
        handler.Handle(RequestFor(offer, Stranger), Server, ClientSource);

        var release = Message(DhcpMessageType.Release, Stranger);
        release.ClientAddress = offer.YourAddress;
        Assert.Equal(LeaseEventKind.Released, handler.Handle(release, Server, ClientSource).Event.Kind);
        Assert.Null(handler.Leases.FindOwner(offer.YourAddress) is { } owner && owner.Equals(Stranger) ? owner : null);
    }

    [Fact]
    public void Inform_gets_configuration_without_a_lease_unicast_to_ciaddr()
    {
        var inform = Message(DhcpMessageType.Inform, Stranger, arch: null);
        inform.ClientAddress = IPAddress.Parse("192.0.2.50");
        var reply = Handler().Handle(inform, Server, new IPEndPoint(inform.ClientAddress, 68)).Reply!.Value;
        Assert.Equal(DhcpMessageType.Ack, reply.Packet.MessageType);
        Assert.Equal(IPAddress.Any, reply.Packet.YourAddress);
        Assert.False(reply.Packet.Options.Contains(DhcpOptionCode.LeaseTime));
        Assert.Equal(new IPEndPoint(inform.ClientAddress, 68), reply.Destination);
    }

    [Fact]
    public void Http_boot_offer_echoes_HTTPClient_and_carries_no_pxe_vendor_options()
    {
        var discover = new DhcpPacket { TransactionId = 5, MacAddress = Stranger };
        discover.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        discover.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 16);
        discover.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "HTTPClient:Arch:00016:UNDI:003000");
        var offer = Handler().Handle(discover, Server, ClientSource).Reply!.Value.Packet;

        Assert.Equal("HTTPClient", offer.VendorClassIdentifier);
        Assert.Equal("http://192.0.2.1/ipxe.efi", offer.BootFileName);
        Assert.False(offer.Options.Contains(DhcpOptionCode.VendorSpecific));
    }

    [Fact]
    public void Pxe_offer_mirrors_the_client_uuid()
    {
        var discover = Message(DhcpMessageType.Discover, Stranger);
        byte[] uuid = [0, .. Enumerable.Range(1, 16).Select(i => (byte)i)];
        discover.Options.Set(DhcpOptionCode.ClientMachineIdentifier, uuid);
        var offer = Handler().Handle(discover, Server, ClientSource).Reply!.Value.Packet;
        Assert.Equal(uuid, offer.ClientMachineIdentifier);
    }

    [Fact]
    public void Plain_bootp_and_server_messages_are_ignored()
    {
        var handler = Handler();
        var bootp = new DhcpPacket { MacAddress = Stranger };
        Assert.Null(handler.Handle(bootp, Server, ClientSource).Reply);
        Assert.Null(handler.Handle(Message(DhcpMessageType.Offer, Stranger), Server, ClientSource).Reply);
        var reply = Message(DhcpMessageType.Discover, Stranger);
        reply.Op = DhcpOpCode.BootReply;
        Assert.Null(handler.Handle(reply, Server, ClientSource).Reply);
    }

    [Fact]
    public void Exhausted_pxe_range_is_reported_not_silently_dropped()
    {
        var handler = Handler();
        var scope = LabFleetFixture.Config.Dhcp.Scopes[0];
        for (var i = 0; i < scope.PxeRange!.Count; i++)
        {
            var mac = new PhysicalAddress([2, 0, 0, 1, (byte)(i >> 8), (byte)i]);
            var offer = handler.Handle(Message(DhcpMessageType.Discover, mac, xid: (uint)i), Server, ClientSource).Reply!.Value.Packet;
            handler.Handle(RequestFor(offer, mac), Server, ClientSource);
        }

        var late = handler.Handle(Message(DhcpMessageType.Discover, Stranger), Server, ClientSource);
        Assert.Null(late.Reply);
        Assert.Contains("exhausted", late.Event.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Proxy_mode_offers_boot_information_without_an_address_and_answers_4011()
    {
        var fleet = LabFleetFixture.Load(ProxyYaml);
        var handler = Handler(fleet, new DhcpServerOptions { Mode = DhcpMode.Proxy, InterfaceName = "nfbr0" });

        var offer = handler.Handle(Message(DhcpMessageType.Discover, Stranger, arch: 7), Server, ClientSource).Reply!.Value;
        Assert.Equal(DhcpMessageType.Offer, offer.Packet.MessageType);
        Assert.Equal(IPAddress.Any, offer.Packet.YourAddress);
        Assert.Equal("ipxe.efi", offer.Packet.BootFileName);
        Assert.Equal("PXEClient", offer.Packet.VendorClassIdentifier);
        Assert.False(offer.Packet.Options.Contains(DhcpOptionCode.LeaseTime));

        // Boot-server discovery on 4011: the client has its address from the real server and asks us directly.
        var request = Message(DhcpMessageType.Request, Stranger, arch: 7);
        request.ClientAddress = IPAddress.Parse("192.0.2.77");
        var source = new IPEndPoint(request.ClientAddress, 4011);
        var ack = handler.Handle(request, Server, source, onProxyPort: true).Reply!.Value;
        Assert.Equal(DhcpMessageType.Ack, ack.Packet.MessageType);
        Assert.Equal(source, ack.Destination);
        Assert.Equal("ipxe.efi", ack.Packet.BootFileName);

        // Not a boot client: the proxy stays silent, the address server answers it.
        Assert.Null(handler.Handle(Message(DhcpMessageType.Discover, Stranger, arch: null), Server, ClientSource).Reply);
    }

    internal static string ProxyYaml(string yaml)
    {
        // proxyDHCP owns no addresses: no ranges, boot answers only.
        var start = yaml.IndexOf("      range:", StringComparison.Ordinal);
        var end = yaml.IndexOf("\nboot:", StringComparison.Ordinal);
        return yaml[..start].Replace("mode: authoritative", "mode: proxy", StringComparison.Ordinal) + yaml[end..];
    }
}
