using System.Net;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Fleet;

namespace NodeFoundry.Dhcp;

/// <summary>
/// The DHCP state machine of RFC 2131 for one request at a time: DISCOVER→OFFER, REQUEST→ACK/NAK,
/// DECLINE, RELEASE, INFORM, and the proxyDHCP answers. No sockets: the server feeds it parsed packets
/// and sends what it returns, so every path is testable in memory. Not thread-safe: one packet loop.
/// </summary>
public sealed class DhcpMessageHandler
{
    private readonly FleetConfig _fleet;
    private readonly DhcpBootPolicy _policy;
    private readonly LeaseTable _leases;
    private readonly DhcpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<DhcpScope, ScopePools> _pools = new();
    private readonly IPAddress _serverId;
    private readonly IPEndPoint _broadcast;

    /// <summary>
    /// Builds the handler and its lease table from the fleet: one pool per scope range, reservations from
    /// the nodes, state replayed from <paramref name="replay"/> (the journal's records).
    /// </summary>
    public DhcpMessageHandler(
        FleetConfig fleet, ILeaseJournal journal, IEnumerable<LeaseRecord>? replay, DhcpServerOptions options, TimeProvider time)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        ArgumentNullException.ThrowIfNull(journal);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _policy = new DhcpBootPolicy(fleet);
        _serverId = fleet.Server.Address;
        foreach (var scope in fleet.Dhcp.Scopes)
        {
            _pools[scope] = ScopePools.For(scope);
        }

        var pools = _pools.Values.SelectMany(p => new[] { p.Pxe, p.Normal }).OfType<LeasePool>();
        var reservations = fleet.Nodes
            .Where(n => n.Address is not null)
            .Select(n => KeyValuePair.Create(n.MacAddress, n.Address!));
        _leases = new LeaseTable(
            pools,
            reservations,
            journal,
            time,
            replay,
            new LeaseTableOptions { OfferHold = fleet.Dhcp.OfferHold, ScanStartFraction = options.AllocationStart });

        // Never let a limited broadcast leave through whatever interface the default route names: bound to a
        // device it stays on that device; listening on loopback it stays on the host.
        var broadcastAddress = options.InterfaceName is null && IPAddress.IsLoopback(options.ListenAddress)
            ? options.ListenAddress
            : IPAddress.Broadcast;
        _broadcast = new IPEndPoint(broadcastAddress, options.ClientPort);
    }

    public DhcpBootPolicy Policy => _policy;

    public LeaseTable Leases => _leases;

    /// <summary>
    /// Handles one request that arrived on <paramref name="localAddress"/> (the server's address on that
    /// segment) from <paramref name="source"/>; <paramref name="onProxyPort"/> marks port 4011.
    /// </summary>
    public DhcpHandleResult Handle(DhcpPacket request, IPAddress localAddress, IPEndPoint source, bool onProxyPort = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        if (request.Op != DhcpOpCode.BootRequest)
        {
            return Ignore(request, null, "not a BOOTREQUEST");
        }

        if (request.MessageType is not { } type)
        {
            return Ignore(request, null, "no DHCP message type (option 53): plain BOOTP is not served");
        }

        var client = DhcpClientFacts.FromPacket(request);
        if (_options.Mode == DhcpMode.Proxy)
        {
            return HandleProxy(request, client, type, source, onProxyPort);
        }

        var scope = _policy.SelectScope(client.RelayAgent, ScopeAnchor(localAddress));
        if (scope is null)
        {
            return Ignore(request, client, client.RelayAgent is null
                ? $"no scope contains the server address {ScopeAnchor(localAddress)}"
                : $"no scope serves relay {client.RelayAgent}; add it to a scope's relayAgents");
        }

        return type switch
        {
            DhcpMessageType.Discover => Discover(request, client, scope),
            DhcpMessageType.Request => Request(request, client, scope),
            DhcpMessageType.Decline => Decline(request, client),
            DhcpMessageType.Release => Release(request, client),
            DhcpMessageType.Inform => Inform(request, client, scope, source),
            _ => Ignore(request, client, $"{type} is a server message"),
        };
    }

    /// <summary>
    /// The NAK a client gets instead of <paramref name="granted"/>'s ACK when a shared lease store refused the grant:
    /// another server committed the address to another client first. The client starts over with a DISCOVER.
    /// </summary>
    public DhcpHandleResult RefuseGrant(DhcpHandleResult granted, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (granted.Reply is not { } ack)
        {
            throw new ArgumentException("Only a result with a reply (an ACK) can be refused.", nameof(granted));
        }

        // The ACK carries what a NAK needs of the request: xid, flags, giaddr, chaddr and option 82.
        var nak = DhcpPacket.CreateReply(ack.Packet, DhcpMessageType.Nak);
        nak.Options.SetAddress(DhcpOptionCode.ServerIdentifier, _serverId);
        nak.Options.SetString(DhcpOptionCode.Message, reason);
        nak.IsBroadcast = !ack.Packet.GatewayAddress.Equals(IPAddress.Any) || nak.IsBroadcast;
        var evt = granted.Event with { Kind = LeaseEventKind.Refused, LeaseExpires = null, Reason = reason };
        return new DhcpHandleResult(new DhcpReply(nak, Destination(nak, isNak: true), ack.MaxLength), evt, false);
    }

    private IPAddress ScopeAnchor(IPAddress localAddress) =>
        localAddress.Equals(IPAddress.Any) || IPAddress.IsLoopback(localAddress) ? _serverId : localAddress;

    private DhcpHandleResult Discover(DhcpPacket request, DhcpClientFacts client, DhcpScope scope)
    {
        var boot = _policy.DecideBoot(client);
        var source = _policy.DecideAddressSource(client, scope);
        var (pool, address, leaseTime, reason) = Propose(request, client, scope, source);
        if (address is null)
        {
            return Ignore(request, client, reason, boot);
        }

        var reply = BuildReply(request, DhcpMessageType.Offer, scope, boot, client);
        reply.YourAddress = address;
        AddLeaseOptions(reply, leaseTime);
        return Answer(request, reply, client, boot, LeaseEventKind.Offered, address, pool, leaseTime, requiresFlush: false);
    }

    private DhcpHandleResult Request(DhcpPacket request, DhcpClientFacts client, DhcpScope scope)
    {
        var serverId = request.ServerIdentifier;
        if (serverId is not null && !serverId.Equals(_serverId))
        {
            // SELECTING another server's offer: our offer hold lapses by itself.
            return Ignore(request, client, $"client chose server {serverId}");
        }

        var requested = request.RequestedIpAddress
            ?? (request.ClientAddress.Equals(IPAddress.Any) ? null : request.ClientAddress);
        var boot = _policy.DecideBoot(client);
        if (requested is null)
        {
            return Nak(request, client, scope, "REQUEST names no address (option 50 and ciaddr empty)");
        }

        if (!scope.Subnet.Contains(requested))
        {
            return Nak(request, client, scope, $"{requested} is not on this network ({scope.Subnet})");
        }

        var source = _policy.DecideAddressSource(client, scope);
        var node = _fleet.FindByMac(client.MacAddress);
        LeasePool? pool = null;
        TimeSpan leaseTime;
        string poolName;
        switch (source)
        {
            case AddressSource.Reservation:
                if (!requested.Equals(node!.Address))
                {
                    return Nak(request, client, scope, $"{requested} is not this node's reservation {node.Address}");
                }

                leaseTime = scope.LeaseTime;
                poolName = "reservation";
                break;
            case AddressSource.PxeRange:
            case AddressSource.NormalRange:
                pool = source == AddressSource.PxeRange ? _pools[scope].Pxe : _pools[scope].Normal;
                if (pool is null || !pool.Contains(requested))
                {
                    return Nak(request, client, scope, $"{requested} is outside the {(source == AddressSource.PxeRange ? "PXE" : "normal")} range for this client");
                }

                leaseTime = pool.LeaseTime;
                poolName = pool.Name;
                break;
            default:
                return Ignore(request, client, "policy gives this client no address", boot);
        }

        var previous = _leases.FindByMac(client.MacAddress);
        var hostName = node?.HostName ?? request.HostName;
        var commit = _leases.Commit(client.MacAddress, requested, pool, leaseTime, hostName);
        if (commit.Outcome != CommitOutcome.Granted)
        {
            return Nak(request, client, scope, $"{requested}: {commit.Outcome}");
        }

        var kind = previous is not null && previous.Address.Equals(requested) && previous.IsActiveAt(_time.GetUtcNow())
            ? LeaseEventKind.Renewed
            : LeaseEventKind.Granted;
        var reply = BuildReply(request, DhcpMessageType.Ack, scope, boot, client);
        reply.YourAddress = requested;
        AddLeaseOptions(reply, leaseTime);
        return Answer(request, reply, client, boot, kind, requested, poolName, leaseTime, requiresFlush: true);
    }

    private DhcpHandleResult Decline(DhcpPacket request, DhcpClientFacts client)
    {
        if (request.ServerIdentifier is { } id && !id.Equals(_serverId))
        {
            return Ignore(request, client, $"DECLINE for server {id}");
        }

        if (request.RequestedIpAddress is not { } address)
        {
            return Ignore(request, client, "DECLINE without option 50");
        }

        _leases.Decline(client.MacAddress, address);
        return Event(request, client, LeaseEventKind.Declined, address, "address in use on the wire: quarantined", requiresFlush: true);
    }

    private DhcpHandleResult Release(DhcpPacket request, DhcpClientFacts client)
    {
        var address = request.ClientAddress;
        if (address.Equals(IPAddress.Any))
        {
            return Ignore(request, client, "RELEASE without ciaddr");
        }

        return _leases.Release(client.MacAddress, address)
            ? Event(request, client, LeaseEventKind.Released, address, null, requiresFlush: true)
            : Ignore(request, client, $"RELEASE of {address}, which this client does not hold");
    }

    private DhcpHandleResult Inform(DhcpPacket request, DhcpClientFacts client, DhcpScope scope, IPEndPoint source)
    {
        var boot = _policy.DecideBoot(client);
        var reply = BuildReply(request, DhcpMessageType.Ack, scope, boot, client);

        // RFC 2131 §4.3.5: no lease time, no yiaddr; unicast to ciaddr.
        var destination = !request.GatewayAddress.Equals(IPAddress.Any)
            ? new IPEndPoint(request.GatewayAddress, _options.RelayPort)
            : !request.ClientAddress.Equals(IPAddress.Any)
                ? new IPEndPoint(request.ClientAddress, _options.ClientPort)
                : source;
        var evt = NewEvent(request, client, LeaseEventKind.Informed, request.ClientAddress, boot, null, null, null);
        return new DhcpHandleResult(new DhcpReply(reply, destination, MaxLength(request)), evt, false);
    }

    private DhcpHandleResult HandleProxy(DhcpPacket request, DhcpClientFacts client, DhcpMessageType type, IPEndPoint source, bool onProxyPort)
    {
        if (!client.IsBootClient)
        {
            return Ignore(request, client, "proxyDHCP answers network-boot clients only");
        }

        var boot = _policy.DecideBoot(client);
        if (!boot.HasBootFile)
        {
            return Ignore(request, client, boot.Reason ?? "no boot file", boot);
        }

        DhcpMessageType replyType;
        IPEndPoint destination;
        if (type == DhcpMessageType.Discover && !onProxyPort)
        {
            // The proxy offer carries boot information only; the address comes from the other server.
            replyType = DhcpMessageType.Offer;
            destination = !request.GatewayAddress.Equals(IPAddress.Any)
                ? new IPEndPoint(request.GatewayAddress, _options.RelayPort)
                : _broadcast;
        }
        else if (type == DhcpMessageType.Request && (onProxyPort || _serverId.Equals(request.ServerIdentifier)))
        {
            // PXE boot-server discovery (port 4011): answer the client where it asked from.
            replyType = DhcpMessageType.Ack;
            destination = onProxyPort ? source : _broadcast;
        }
        else
        {
            return Ignore(request, client, $"proxyDHCP ignores {type} (the address server answers it)", boot);
        }

        var reply = BuildReply(request, replyType, scope: null, boot, client);
        var evt = NewEvent(request, client, replyType == DhcpMessageType.Offer ? LeaseEventKind.Offered : LeaseEventKind.Informed, null, boot, "proxy", null, "proxyDHCP: boot information only");
        return new DhcpHandleResult(new DhcpReply(reply, destination, MaxLength(request)), evt, false);
    }

    private (string? Pool, IPAddress? Address, TimeSpan LeaseTime, string Reason) Propose(
        DhcpPacket request, DhcpClientFacts client, DhcpScope scope, AddressSource source)
    {
        switch (source)
        {
            case AddressSource.Reservation:
                var reserved = _leases.ProposeReserved(client.MacAddress);
                return ("reservation", reserved, scope.LeaseTime, reserved is null ? "reservation unavailable" : "reservation");
            case AddressSource.PxeRange:
            case AddressSource.NormalRange:
                var pool = source == AddressSource.PxeRange ? _pools[scope].Pxe! : _pools[scope].Normal!;
                var address = _leases.Propose(client.MacAddress, pool, request.RequestedIpAddress);
                return (pool.Name, address, pool.LeaseTime, address is null ? $"range {pool.Name} is exhausted" : pool.Name);
            default:
                return (null, null, TimeSpan.Zero, NoAddressReason(client, scope));
        }
    }

    /// <summary>Why the policy gives this client no address, in the fleet file's own words.</summary>
    private string NoAddressReason(DhcpClientFacts client, DhcpScope scope)
    {
        var known = _fleet.FindByMac(client.MacAddress) is not null;
        if (client.IsBootClient)
        {
            return !known && !_fleet.Dhcp.AnswerUnknownPxeClients
                ? "unknown PXE client and dhcp.answerUnknownPxeClients is false"
                : $"scope {scope.Name} has neither a pxeRange nor a range for boot clients";
        }

        return !known && _fleet.Dhcp.NonPxeClients == NonPxeClientPolicy.Ignore
            ? "not a boot client and dhcp.nonPxeClients is ignore"
            : $"scope {scope.Name} has no range for clients that do not network-boot";
    }

    private DhcpPacket BuildReply(DhcpPacket request, DhcpMessageType type, DhcpScope? scope, BootDecision boot, DhcpClientFacts client)
    {
        var reply = DhcpPacket.CreateReply(request, type);
        var options = reply.Options;
        options.SetAddress(DhcpOptionCode.ServerIdentifier, _serverId);
        if (scope is not null)
        {
            options.SetAddress(DhcpOptionCode.SubnetMask, scope.SubnetMask);
            if (scope.Router is not null)
            {
                options.SetAddress(DhcpOptionCode.Router, scope.Router);
            }

            if (scope.DnsServers.Count > 0)
            {
                options.SetAddresses(DhcpOptionCode.DomainNameServer, scope.DnsServers);
            }

            if (scope.DomainName is not null)
            {
                options.SetString(DhcpOptionCode.DomainName, scope.DomainName);
            }

            options.SetAddress(DhcpOptionCode.BroadcastAddress, scope.BroadcastAddress);
        }

        var node = _fleet.FindByMac(client.MacAddress);
        if (node is not null)
        {
            options.SetString(DhcpOptionCode.HostName, node.HostName);
        }

        if (boot.BootFile is { } file)
        {
            reply.ServerAddress = boot.NextServer ?? _serverId;
            if (file.Length < 128)
            {
                reply.BootFileName = file;
            }

            options.SetString(DhcpOptionCode.TftpServerName, reply.ServerAddress.ToString());
            options.SetString(DhcpOptionCode.BootFileName, file);
        }

        if (boot.VendorClass is { } vendorClass && boot.HasBootFile)
        {
            options.SetString(DhcpOptionCode.VendorClassIdentifier, vendorClass);
            if (vendorClass == DhcpClientFacts.PxeVendorClass)
            {
                // Discovery control 8: boot the file in this reply, no boot-server discovery round.
                options.Set(DhcpOptionCode.VendorSpecific, PxeVendorOptions.Encode(8));

                // iPXE otherwise waits ~3 s for a ProxyDHCP offer that never comes.
                options.Set(DhcpOptionCode.IpxeEncapsulated, IpxeOptions.EncodeNoPxeDhcp());
            }
        }

        if (request.ClientMachineIdentifier is { } uuid && boot.HasBootFile)
        {
            // PXE spec: mirror the client's machine identifier.
            options.Set(DhcpOptionCode.ClientMachineIdentifier, uuid);
        }

        return reply;
    }

    private static void AddLeaseOptions(DhcpPacket reply, TimeSpan leaseTime)
    {
        var seconds = (uint)Math.Clamp(leaseTime.TotalSeconds, 1, uint.MaxValue - 1);
        reply.Options.SetUInt32(DhcpOptionCode.LeaseTime, seconds);
        reply.Options.SetUInt32(DhcpOptionCode.RenewalTime, seconds / 2);
        reply.Options.SetUInt32(DhcpOptionCode.RebindingTime, (uint)(seconds * 7UL / 8UL));
    }

    private DhcpHandleResult Answer(
        DhcpPacket request, DhcpPacket reply, DhcpClientFacts client, BootDecision boot, LeaseEventKind kind,
        IPAddress address, string? pool, TimeSpan leaseTime, bool requiresFlush)
    {
        var evt = NewEvent(request, client, kind, address, boot, pool, _time.GetUtcNow() + leaseTime, boot.Reason);
        return new DhcpHandleResult(new DhcpReply(reply, Destination(request, isNak: false), MaxLength(request)), evt, requiresFlush);
    }

    private DhcpHandleResult Nak(DhcpPacket request, DhcpClientFacts client, DhcpScope scope, string reason)
    {
        _ = scope;
        var reply = DhcpPacket.CreateReply(request, DhcpMessageType.Nak);
        reply.Options.SetAddress(DhcpOptionCode.ServerIdentifier, _serverId);
        reply.Options.SetString(DhcpOptionCode.Message, reason);

        // RFC 2131 §4.3.2: a NAK not relayed is broadcast, the client may not own ciaddr any more.
        reply.IsBroadcast = !request.GatewayAddress.Equals(IPAddress.Any) || reply.IsBroadcast;
        var evt = NewEvent(request, client, LeaseEventKind.Refused, request.RequestedIpAddress, null, null, null, reason);
        return new DhcpHandleResult(new DhcpReply(reply, Destination(request, isNak: true), MaxLength(request)), evt, false);
    }

    /// <summary>RFC 2131 §4.1: relay first, then ciaddr, else broadcast (we have no ARP-less unicast to yiaddr).</summary>
    private IPEndPoint Destination(DhcpPacket request, bool isNak)
    {
        if (!request.GatewayAddress.Equals(IPAddress.Any))
        {
            return new IPEndPoint(request.GatewayAddress, _options.RelayPort);
        }

        if (!isNak && !request.ClientAddress.Equals(IPAddress.Any))
        {
            return new IPEndPoint(request.ClientAddress, _options.ClientPort);
        }

        return _broadcast;
    }

    private static int MaxLength(DhcpPacket request)
    {
        // Option 57 says what the client can take; 576 is the RFC 2131 minimum every client accepts.
        var max = request.MaxMessageSize ?? 576;
        return Math.Clamp((int)max, 576, 1472);
    }

    private DhcpHandleResult Ignore(DhcpPacket request, DhcpClientFacts? client, string reason, BootDecision? boot = null) =>
        new(null, NewEvent(request, client, LeaseEventKind.Ignored, null, boot, null, null, reason), false);

    private DhcpHandleResult Event(DhcpPacket request, DhcpClientFacts client, LeaseEventKind kind, IPAddress address, string? reason, bool requiresFlush) =>
        new(null, NewEvent(request, client, kind, address, null, null, null, reason), requiresFlush);

    private LeaseEvent NewEvent(
        DhcpPacket request, DhcpClientFacts? client, LeaseEventKind kind, IPAddress? address, BootDecision? boot,
        string? pool, DateTimeOffset? expires, string? reason)
    {
        var node = client is null ? null : _fleet.FindByMac(client.MacAddress);
        return new LeaseEvent
        {
            Timestamp = _time.GetUtcNow(),
            Kind = kind,
            MacAddress = request.MacAddress,
            IPAddress = address,
            Address = address,
            TransactionId = request.TransactionId,
            Pool = pool,
            HostName = node?.HostName ?? request.HostName,
            LeaseExpires = expires,
            Firmware = boot?.Firmware ?? default,
            ClientArchitecture = client?.Architecture,
            ClientUuid = client?.Uuid,
            IsIpxe = boot?.IsIpxe ?? false,
            BootFile = boot?.BootFile,
            NextServer = boot?.NextServer,
            RelayAgent = client?.RelayAgent,
            Reason = reason,
        };
    }

    /// <summary>The two lease pools a scope defines.</summary>
    private sealed record ScopePools(LeasePool? Pxe, LeasePool? Normal)
    {
        public static ScopePools For(DhcpScope scope) => new(
            scope.PxeRange is { } pxe ? new LeasePool($"{scope.Name}/pxe", pxe.Start, pxe.End, scope.PxeLeaseTime) : null,
            scope.Range is { } normal ? new LeasePool($"{scope.Name}/normal", normal.Start, normal.End, scope.LeaseTime) : null);
    }
}
