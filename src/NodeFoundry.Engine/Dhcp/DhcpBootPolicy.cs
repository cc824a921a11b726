using System.Globalization;
using System.Net;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Dhcp;

/// <summary>
/// The pure decision of what a client boots and where its address comes from: option 93 → loader,
/// iPXE → HTTP script (the chainload-loop break), HTTP Boot → URL + HTTPClient echo, known nodes →
/// reservations, unknown PXE clients → the short-lease PXE range. No sockets, no state: table-tested.
/// </summary>
public sealed class DhcpBootPolicy
{
    private readonly FleetConfig _fleet;

    public DhcpBootPolicy(FleetConfig fleet)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
    }

    /// <summary>Decides the boot file for a client, or none.</summary>
    public BootDecision DecideBoot(DhcpClientFacts client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var node = _fleet.FindByMac(client.MacAddress);
        var firmware = client.Architecture is { } arch ? ClientArchitecture.ToFirmwareKind(arch) : FirmwareKind.Unknown;

        if (!client.IsBootClient)
        {
            return BootDecision.None(firmware, "not a network-boot client (no option 93, no PXEClient/HTTPClient)");
        }

        if (client.Architecture is null)
        {
            // PXEClient without option 93 predates RFC 4578: the only such firmware is legacy BIOS PXE.
            firmware = FirmwareKind.Bios;
        }

        if (firmware == FirmwareKind.Unknown)
        {
            return BootDecision.None(
                firmware,
                string.Create(CultureInfo.InvariantCulture, $"unknown client architecture {client.Architecture} (option 93); no loader is configured for it"));
        }

        if (node is null && !_fleet.Dhcp.AnswerUnknownPxeClients)
        {
            return BootDecision.None(firmware, "unknown MAC and dhcp.answerUnknownPxeClients is false");
        }

        var isIpxe = client.SentIpxeUserClass || client.SentIpxeOptions || node?.Boot?.TreatAsIpxe == true;
        var httpBoot = FirmwareKindNames.IsHttpBoot(firmware);
        var vendorClass = httpBoot ? DhcpClientFacts.HttpVendorClass : DhcpClientFacts.PxeVendorClass;

        if (isIpxe)
        {
            // iPXE already runs: hand it the script over HTTP instead of the NBP again, or it chainloads forever.
            var template = node?.Boot?.ScriptUrl ?? _fleet.Boot.IpxeScriptUrl;
            return new BootDecision
            {
                Firmware = firmware,
                IsIpxe = true,
                BootFile = ExpandUrl(template, client, node),
                NextServer = _fleet.Server.Address,
                VendorClass = vendorClass,
                Reason = "iPXE client: HTTP script",
            };
        }

        var loader = node?.Boot?.Loader;
        if (loader is null && !_fleet.Boot.Loaders.TryGetValue(firmware, out loader))
        {
            return BootDecision.None(
                firmware,
                $"no loader configured for {FirmwareKindNames.ToName(firmware)}; add boot.loaders.{FirmwareKindNames.ToName(firmware)} to the fleet file");
        }

        if (httpBoot)
        {
            var url = ExpandUrl(loader, client, node);
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                // HTTP Boot firmware needs a full URL; a bare file name is served from the HTTP root.
                url = _fleet.Boot.HttpBaseUrl + url.TrimStart('/');
            }

            return new BootDecision
            {
                Firmware = firmware,
                BootFile = url,
                NextServer = _fleet.Server.Address,
                VendorClass = vendorClass,
                Reason = "UEFI HTTP Boot: loader URL",
            };
        }

        return new BootDecision
        {
            Firmware = firmware,
            BootFile = ExpandUrl(loader, client, node),
            NextServer = _fleet.Server.Address,
            VendorClass = vendorClass,
            Reason = "PXE firmware: iPXE loader over TFTP",
        };
    }

    /// <summary>
    /// Decides where the client's address comes from. Known nodes with a reservation get it; every other
    /// boot client gets the short-lease PXE range (so a mass reboot cannot exhaust the long-lived range);
    /// non-boot clients get the normal range or nothing, as the fleet file says.
    /// </summary>
    public AddressSource DecideAddressSource(DhcpClientFacts client, DhcpScope scope)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(scope);
        var node = _fleet.FindByMac(client.MacAddress);
        if (node?.Address is { } reserved && scope.Subnet.Contains(reserved))
        {
            return AddressSource.Reservation;
        }

        if (client.IsBootClient)
        {
            if (node is null && !_fleet.Dhcp.AnswerUnknownPxeClients)
            {
                return AddressSource.None;
            }

            if (scope.PxeRange is not null)
            {
                return AddressSource.PxeRange;
            }

            return scope.Range is not null ? AddressSource.NormalRange : AddressSource.None;
        }

        if (node is null && _fleet.Dhcp.NonPxeClients == NonPxeClientPolicy.Ignore)
        {
            return AddressSource.None;
        }

        return scope.Range is not null ? AddressSource.NormalRange : AddressSource.None;
    }

    /// <summary>
    /// Picks the scope a client belongs to: by relay (giaddr) when relayed, else the scope holding the
    /// address the server received on (the server's own address on that segment).
    /// </summary>
    public DhcpScope? SelectScope(IPAddress? relayAgent, IPAddress localAddress)
    {
        // A relay on loopback can only be a process on this host (a probe, the demo, a local test
        // harness): it sits on the server's own segment, so it gets the scope of the server's address.
        if (relayAgent is not null && IPAddress.IsLoopback(relayAgent))
        {
            relayAgent = null;
            localAddress = _fleet.Server.Address;
        }

        foreach (var scope in _fleet.Dhcp.Scopes)
        {
            if (relayAgent is not null)
            {
                if (scope.Subnet.Contains(relayAgent) || scope.RelayAgents.Contains(relayAgent))
                {
                    return scope;
                }
            }
            else if (scope.Subnet.Contains(localAddress))
            {
                return scope;
            }
        }

        return null;
    }

    /// <summary>
    /// Expands the fleet file's URL placeholders. <c>{mac}</c> is the colon form iPXE's <c>${mac}</c>
    /// would give, so a script URL rendered here and one iPXE builds itself name the same route.
    /// </summary>
    public string ExpandUrl(string template, DhcpClientFacts client, FleetNode? node)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(client);
        if (template.IndexOf('{', StringComparison.Ordinal) < 0)
        {
            return template;
        }

        return template
            .Replace("{http}", _fleet.Boot.HttpBaseUrl, StringComparison.Ordinal)
            .Replace("{mac}", MacAddressText.Format(client.MacAddress), StringComparison.Ordinal)
            .Replace("{uuid}", (node?.Uuid ?? client.Uuid)?.ToString("D") ?? string.Empty, StringComparison.Ordinal)
            .Replace("{hostname}", node?.HostName ?? string.Empty, StringComparison.Ordinal)
            .Replace("{server}", _fleet.Server.Address.ToString(), StringComparison.Ordinal);
    }
}
