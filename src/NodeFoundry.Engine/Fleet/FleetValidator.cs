using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Net;

namespace NodeFoundry.Fleet;

/// <summary>
/// Cross-field rules of a fleet file: ranges against subnets and each other, the server address against the scopes,
/// uniqueness of node names, MACs, UUIDs, addresses and BMCs, reservations against scopes and ranges, and profile
/// references. Runs over whatever <see cref="FleetYamlReader"/> could read, skipping values that already failed.
/// </summary>
internal sealed class FleetValidator(FleetDiagnostics diagnostics, FleetDraft draft)
{
    private readonly FleetDiagnostics _diag = diagnostics;
    private readonly FleetDraft _draft = draft;

    private bool Authoritative => _draft.Dhcp.Mode == DhcpMode.Authoritative;

    /// <summary>True when every scope entry was read with a subnet, so "outside every scope" is a sound verdict.</summary>
    private bool AllSubnetsKnown =>
        _draft.Dhcp.Scopes.Count == _draft.Dhcp.ScopeEntries && _draft.Dhcp.Scopes.All(s => s.Subnet is not null);

    public void Validate()
    {
        CheckPorts();
        CheckScopes();
        CheckScopePairs();
        CheckServerAddress();
        CheckNodes();
    }

    private void CheckPorts()
    {
        if (_draft.Dhcp.Port == _draft.Server.TftpPort)
        {
            _diag.At("dhcp.port", string.Create(CultureInfo.InvariantCulture,
                    $"DHCP and TFTP would both listen on UDP port {_draft.Dhcp.Port}."),
                "Use port 67 for DHCP and 69 for TFTP (the ports firmware uses).");
        }
    }

    private void CheckScopes()
    {
        List<ScopeDraft> scopes = _draft.Dhcp.Scopes;
        if (Authoritative && _draft.Dhcp.ScopeEntries == 0)
        {
            _diag.At("dhcp.scopes", "Authoritative mode needs at least one scope under dhcp.scopes.",
                "Add a scope such as '- { subnet: 192.0.2.0/24, pxeRange: { start: 192.0.2.150, end: 192.0.2.199 } }', or set 'dhcp.mode: proxy' when another DHCP server owns the addresses.");
        }

        var names = new Dictionary<string, ScopeDraft>(StringComparer.OrdinalIgnoreCase);
        foreach (ScopeDraft scope in scopes)
        {
            string? name = scope.Name ?? scope.Subnet?.ToString();
            if (name is not null && !names.TryAdd(name, scope))
            {
                string path = scope.Name is null ? scope.Path + ".subnet" : scope.Path + ".name";
                _diag.At(path, $"Scope name '{name}' is already used by {names[name].Path}.",
                    "Give each scope its own name (names ignore case).");
            }

            if (!Authoritative)
            {
                foreach (RangeDraft range in Ranges(scope))
                {
                    _diag.At(range.Path, $"In proxy mode another DHCP server hands out addresses, so {scope.Path} cannot have a {Key(range)}.",
                        $"Remove '{Key(range)}:' from the scope, or set 'dhcp.mode: authoritative' if NodeFoundry should lease addresses.");
                }

                continue;
            }

            if (scope.Subnet is IPNetwork subnet)
            {
                CheckScopeAddresses(scope, subnet);
            }

            if (scope.Range?.Value is AddressRange normal && scope.PxeRange?.Value is AddressRange pxe && normal.Overlaps(pxe))
            {
                _diag.At(scope.PxeRange.Path + ".start", $"The pxeRange {pxe} overlaps the range {normal} of the same scope.",
                    "Make the two ranges disjoint, for example range 192.0.2.100-192.0.2.149 and pxeRange 192.0.2.150-192.0.2.199, so no address is in both.");
            }
        }
    }

    private void CheckScopeAddresses(ScopeDraft scope, IPNetwork subnet)
    {
        IPAddress network = subnet.BaseAddress;
        IPAddress broadcast = Ipv4.Broadcast(subnet);
        string usable = $"{Ipv4.FromUInt32(Ipv4.ToUInt32(network) + 1)} to {Ipv4.FromUInt32(Ipv4.ToUInt32(broadcast) - 1)}";
        foreach (RangeDraft range in Ranges(scope))
        {
            string key = Key(range);
            foreach ((IPAddress? address, string end) in new[] { (range.Start, "start"), (range.End, "end") })
            {
                if (address is null)
                {
                    continue;
                }

                string path = range.Path + "." + end;
                if (!subnet.Contains(address))
                {
                    _diag.At(path, $"The {key} {end} {address} lies outside the scope's subnet {subnet}.",
                        $"Use addresses from {usable}, or correct the subnet.");
                }
                else if (address.Equals(network))
                {
                    _diag.At(path, $"The {key} {end} {address} is the network address of {subnet}, which no client can use.",
                        $"Start the {key} at {Ipv4.FromUInt32(Ipv4.ToUInt32(network) + 1)} or later.");
                }
                else if (address.Equals(broadcast))
                {
                    _diag.At(path, $"The {key} {end} {address} is the broadcast address of {subnet}, which no client can use.",
                        $"End the {key} at {Ipv4.FromUInt32(Ipv4.ToUInt32(broadcast) - 1)} or earlier.");
                }
            }
        }

        if (scope.Router is IPAddress router)
        {
            string path = scope.Path + ".router";
            if (!subnet.Contains(router))
            {
                _diag.At(path, $"The router {router} lies outside the scope's subnet {subnet}; clients could not reach it.",
                    $"Use the gateway's address on this subnet ({usable}), or remove 'router:' when the network has no gateway.");
            }
            else if (router.Equals(network) || router.Equals(broadcast))
            {
                _diag.At(path, $"The router {router} is the {(router.Equals(network) ? "network" : "broadcast")} address of {subnet}.",
                    $"Use the gateway's address on this subnet ({usable}).");
            }
            else if (FindDynamicRange(scope, router) is RangeDraft range)
            {
                _diag.At(path, $"The router {router} lies inside the {Key(range)} {range.Value} and could be leased to a client.",
                    $"Shrink the {Key(range)} so it excludes {router}.");
            }
        }
    }

    private void CheckScopePairs()
    {
        List<ScopeDraft> scopes = _draft.Dhcp.Scopes;
        var relays = new Dictionary<IPAddress, string>();
        for (int j = 0; j < scopes.Count; j++)
        {
            ScopeDraft later = scopes[j];
            for (int i = 0; i < j; i++)
            {
                ScopeDraft earlier = scopes[i];
                if (later.Subnet is IPNetwork b && earlier.Subnet is IPNetwork a && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress)))
                {
                    _diag.At(later.Path + ".subnet", $"The subnet {b} of scope '{later.DisplayName}' overlaps the subnet {a} of scope '{earlier.DisplayName}' ({earlier.Path}).",
                        "Give each scope its own subnet; if both describe one network, merge them into one scope.");
                }

                foreach (RangeDraft laterRange in Ranges(later))
                {
                    foreach (RangeDraft earlierRange in Ranges(earlier))
                    {
                        if (laterRange.Value is AddressRange x && earlierRange.Value is AddressRange y && x.Overlaps(y))
                        {
                            _diag.At(laterRange.Path + ".start",
                                $"The {Key(laterRange)} {x} of scope '{later.DisplayName}' overlaps the {Key(earlierRange)} {y} of scope '{earlier.DisplayName}' ({earlierRange.Path}).",
                                "Make the ranges disjoint so no address can be leased twice.");
                        }
                    }
                }
            }

            foreach ((IPAddress relay, string path) in later.RelayAgents)
            {
                if (!relays.TryAdd(relay, path))
                {
                    _diag.At(path, $"The relay agent {relay} is already listed at {relays[relay]}; requests it relays would match two scopes.",
                        "List each relay agent (giaddr) under one scope only.");
                }
            }
        }
    }

    private void CheckServerAddress()
    {
        if (_draft.Server.Address is not IPAddress server)
        {
            return;
        }

        ScopeDraft? scope = FindScope(server);
        if (scope?.Subnet is IPNetwork subnet)
        {
            if (server.Equals(subnet.BaseAddress) || server.Equals(Ipv4.Broadcast(subnet)))
            {
                _diag.At("server.address", $"The server address {server} is the {(server.Equals(subnet.BaseAddress) ? "network" : "broadcast")} address of {subnet}.",
                    "Use this server's own address on the boot network, such as 192.0.2.1.");
            }
            else if (Authoritative && FindDynamicRange(scope, server) is RangeDraft range)
            {
                _diag.At("server.address", $"The server address {server} lies inside the {Key(range)} {range.Value} of scope '{scope.DisplayName}' and could be leased to a client.",
                    $"Shrink the {Key(range)} so it excludes {server}, or correct server.address.");
            }

            return;
        }

        // Authoritative and every scope directly attached (no relays): the server must sit on one of the subnets, or
        // no broadcast from a client could ever reach it. With relays the server may legitimately live elsewhere, and in
        // proxy mode the scopes are optional, so neither case is an error.
        if (Authoritative && _draft.Dhcp.Scopes.Count > 0 && AllSubnetsKnown && _draft.Dhcp.Scopes.All(s => s.RelayAgents.Count == 0))
        {
            string subnets = string.Join(", ", _draft.Dhcp.Scopes.Select(s => s.Subnet!.Value.ToString()));
            _diag.At("server.address", $"The server address {server} is not inside any scope subnet ({subnets}), and no scope lists relay agents.",
                "Use this server's address on the boot network (inside a scope's subnet), or list the relays that forward other subnets under the scope's 'relayAgents:'.");
        }
    }

    private void CheckNodes()
    {
        var names = new Dictionary<string, NodeDraft>(StringComparer.OrdinalIgnoreCase);
        var hostNames = new Dictionary<string, NodeDraft>(StringComparer.OrdinalIgnoreCase);
        var macs = new Dictionary<PhysicalAddress, NodeDraft>();
        var uuids = new Dictionary<Guid, NodeDraft>();
        var addresses = new Dictionary<IPAddress, NodeDraft>();
        var bmcs = new Dictionary<string, NodeDraft>(StringComparer.OrdinalIgnoreCase);

        foreach (NodeDraft node in _draft.Nodes)
        {
            if (node.Name is string name && !names.TryAdd(name, node))
            {
                _diag.At(node.Path + ".name", $"Node name '{name}' is already used by the node on line {names[name].Line}.",
                    "Give every node its own name (names ignore case).");
            }

            string? hostName = node.HostName ?? node.Name;
            if (hostName is not null && (node.HostName is not null || names.GetValueOrDefault(hostName) == node)
                && !hostNames.TryAdd(hostName, node))
            {
                NodeDraft other = hostNames[hostName];
                _diag.At(node.HostName is null ? node.Path + ".name" : node.Path + ".hostName",
                    $"Host name '{hostName}' is already used by node '{other.DisplayName}' (line {other.Line}).",
                    "Give every node its own host name (set hostName: when the node name cannot be it).");
            }

            if (node.Mac is PhysicalAddress mac && !macs.TryAdd(mac, node))
            {
                NodeDraft other = macs[mac];
                _diag.At(node.Path + ".mac", $"MAC address '{_diag.TextAt(node.Path + ".mac")}' is already used by node '{other.DisplayName}' (line {other.Line}).",
                    "Each node needs its own boot NIC's MAC; check for a copy-paste slip in the last pairs.");
            }

            if (node.Uuid is Guid uuid && !uuids.TryAdd(uuid, node))
            {
                NodeDraft other = uuids[uuid];
                _diag.At(node.Path + ".uuid", $"UUID '{_diag.TextAt(node.Path + ".uuid")}' is already used by node '{other.DisplayName}' (line {other.Line}).",
                    "Copy each node's own system UUID ('dmidecode -s system-uuid'), or remove 'uuid:' when unsure.");
            }

            if (node.Address is IPAddress address)
            {
                if (!addresses.TryAdd(address, node))
                {
                    NodeDraft other = addresses[address];
                    _diag.At(node.Path + ".address", $"Address {address} is already reserved for node '{other.DisplayName}' (line {other.Line}).",
                        "Reserve a different address for each node.");
                }
                else
                {
                    CheckReservation(node, address);
                }
            }

            if (node.Profile is string profile && !_draft.ProfileNames.Contains(profile))
            {
                string? suggestion = Suggestions.Closest(profile, _draft.ProfileNames);
                string known = _draft.ProfileNames.Count == 0 ? "none are defined" : "defined: " + string.Join(", ", _draft.ProfileNames.Order(StringComparer.OrdinalIgnoreCase));
                _diag.At(node.Path + ".profile", $"Profile '{profile}' is not defined under profiles ({known}).",
                    suggestion is not null
                        ? $"Did you mean '{suggestion}'? Otherwise add a '{profile}:' entry under profiles."
                        : $"Add a '{profile}:' entry under profiles, or name one of the defined profiles.");
            }

            if (node.Bmc is { Address: string bmcAddress } bmc)
            {
                int port = bmc.Port ?? (bmc.Protocol == "redfish" ? 443 : 623);
                string key = string.Create(CultureInfo.InvariantCulture, $"{bmcAddress}:{port}");
                if (!bmcs.TryAdd(key, node))
                {
                    NodeDraft other = bmcs[key];
                    _diag.At(bmc.Path + ".address", $"BMC {bmcAddress} (port {port}) is already the BMC of node '{other.DisplayName}' (line {other.Line}); power commands would hit the wrong machine.",
                        "Give each node its own BMC address.");
                }
            }
        }
    }

    private void CheckReservation(NodeDraft node, IPAddress address)
    {
        string path = node.Path + ".address";
        if (_draft.Server.Address is IPAddress server && address.Equals(server))
        {
            _diag.At(path, $"Address {address} is the boot server's own address (server.address).", "Reserve a different address for the node.");
            return;
        }

        if (!Authoritative)
        {
            return;
        }

        ScopeDraft? scope = FindScope(address);
        if (scope?.Subnet is not IPNetwork subnet)
        {
            if (AllSubnetsKnown && _draft.Dhcp.Scopes.Count > 0)
            {
                string subnets = string.Join(", ", _draft.Dhcp.Scopes.Select(s => s.Subnet!.Value.ToString()));
                _diag.At(path, $"The reserved address {address} is outside every scope subnet ({subnets}).",
                    "Reserve an address inside a scope's subnet, or add a scope for this address's subnet.");
            }

            return;
        }

        if (address.Equals(subnet.BaseAddress) || address.Equals(Ipv4.Broadcast(subnet)))
        {
            _diag.At(path, $"The reserved address {address} is the {(address.Equals(subnet.BaseAddress) ? "network" : "broadcast")} address of {subnet}.",
                "Reserve a host address inside the subnet.");
        }
        else if (scope.Router is IPAddress router && address.Equals(router))
        {
            _diag.At(path, $"The reserved address {address} is the router of scope '{scope.DisplayName}'.",
                "Reserve a different address for the node.");
        }
        else if (FindDynamicRange(scope, address) is RangeDraft range)
        {
            _diag.At(path, $"The reserved address {address} lies inside the {Key(range)} {range.Value} of scope '{scope.DisplayName}', so it could also be leased to another client.",
                $"Reserve an address outside {DescribeRanges(scope)}, or shrink the {Key(range)}.");
        }
    }

    private ScopeDraft? FindScope(IPAddress address) =>
        _draft.Dhcp.Scopes.FirstOrDefault(s => s.Subnet is IPNetwork subnet && subnet.Contains(address));

    private static RangeDraft? FindDynamicRange(ScopeDraft scope, IPAddress address) =>
        Ranges(scope).FirstOrDefault(r => r.Value?.Contains(address) ?? false);

    private static IEnumerable<RangeDraft> Ranges(ScopeDraft scope)
    {
        if (scope.Range is not null)
        {
            yield return scope.Range;
        }

        if (scope.PxeRange is not null)
        {
            yield return scope.PxeRange;
        }
    }

    private static string DescribeRanges(ScopeDraft scope) =>
        string.Join(" and ", Ranges(scope).Where(r => r.Value is not null).Select(r => r.Value!.ToString()));

    private static string Key(RangeDraft range) => range.Path.EndsWith("pxeRange", StringComparison.Ordinal) ? "pxeRange" : "range";
}
