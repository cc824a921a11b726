using System.Net.NetworkInformation;

namespace NodeFoundry.Probe;

/// <summary>
/// How a probe presents itself to a DHCP server: as a given firmware (option 93 and the PXE/HTTP
/// vendor class it would send) and, optionally, as iPXE (user class <c>iPXE</c>).
/// </summary>
public sealed record DhcpProbeRequest(PhysicalAddress MacAddress, ushort? Architecture, bool Ipxe = false)
{
    /// <summary>Vendor class as real firmware formats it (firmware-lab.md: <c>PXEClient:Arch:00007:UNDI:003000</c>).</summary>
    public string? VendorClass { get; init; } = Architecture is { } arch
        ? FormattableString.Invariant($"{(arch is 15 or 16 or 19 or 20 ? "HTTPClient" : "PXEClient")}:Arch:{arch:D5}:UNDI:003000")
        : null;

    public Guid? Uuid { get; init; }

    /// <summary>Go on to REQUEST the offered address and wait for the ACK (a probe that must not take an address leaves it false).</summary>
    public bool CompleteLease { get; init; }

    /// <summary>Send a DHCPRELEASE after the ACK so the probe leaves nothing bound.</summary>
    public bool ReleaseAfter { get; init; }

    public string? HostName { get; init; }
}
