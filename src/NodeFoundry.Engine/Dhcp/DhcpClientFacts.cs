using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Dhcp;

/// <summary>
/// What a DHCP client told us about itself, reduced to the facts boot policy decides on. Built from a
/// parsed packet so the policy stays a pure function, table-testable without any bytes.
/// </summary>
public sealed record DhcpClientFacts(
    PhysicalAddress MacAddress,
    ushort? Architecture,
    string? VendorClass,
    bool SentIpxeUserClass,
    bool SentIpxeOptions,
    Guid? Uuid,
    IPAddress? RelayAgent)
{
    /// <summary>Vendor-class prefix of PXE firmware (RFC 4578; PXE 2.1 spec).</summary>
    public const string PxeVendorClass = "PXEClient";

    /// <summary>Vendor-class prefix of UEFI HTTP Boot firmware (UEFI 2.5+ spec §24.7).</summary>
    public const string HttpVendorClass = "HTTPClient";

    /// <summary>
    /// A network-boot client: it says PXEClient/HTTPClient, or at least sends an architecture. A plain
    /// OS DHCP client (dhclient, systemd-networkd) is none of these and gets no boot file.
    /// </summary>
    public bool IsBootClient =>
        Architecture is not null
        || (VendorClass is not null
            && (VendorClass.StartsWith(PxeVendorClass, StringComparison.Ordinal)
                || VendorClass.StartsWith(HttpVendorClass, StringComparison.Ordinal)));

    public static DhcpClientFacts FromPacket(DhcpPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var arches = packet.ClientArchitectures;
        var relay = packet.GatewayAddress.Equals(IPAddress.Any) ? null : packet.GatewayAddress;
        return new DhcpClientFacts(
            packet.MacAddress,
            arches.Count > 0 ? arches[0] : null,
            packet.VendorClassIdentifier,
            packet.IsIpxeUserClass,
            packet.HasIpxeEncapsulatedOptions,
            packet.ClientMachineGuid,
            relay);
    }
}
