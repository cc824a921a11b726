using System.Globalization;
using NodeFoundry.Boot;

namespace NodeFoundry.BootPath;

/// <summary>
/// A client the tester impersonates in DHCP: an option 93 architecture, the option 60 that firmware sends
/// with it, and whether it is iPXE (user class <c>iPXE</c> and option 175). The vendor classes are the
/// ones recorded from real firmware in shared/firmware-lab.md.
/// </summary>
public sealed record BootPathFirmware(ushort Architecture, bool Ipxe)
{
    /// <summary>The architectures the tester probes by default: BIOS, UEFI x64 (7, and 9 as field firmware sends), ARM64, UEFI HTTP Boot.</summary>
    public static IReadOnlyList<ushort> DefaultArchitectures { get; } = [0, 7, 9, 11, 16];

    public FirmwareKind Kind => ClientArchitecture.ToFirmwareKind(Architecture);

    /// <summary>True when this firmware fetches its NBP over HTTP and must be given a URL and option 60 HTTPClient.</summary>
    public bool IsHttpBoot => !Ipxe && FirmwareKindNames.IsHttpBoot(Kind);

    /// <summary>
    /// Option 60 as the client sends it: UEFI HTTP Boot says HTTPClient, PXE ROMs PXEClient with their UNDI
    /// version (iPXE's BIOS ROM 002001, EDK2 003000, iPXE EFI builds 003010).
    /// </summary>
    public string VendorClass
    {
        get
        {
            var prefix = IsHttpBoot ? "HTTPClient" : "PXEClient";
            var undi = Architecture == 0 ? "002001" : Ipxe ? "003010" : "003000";
            return string.Create(CultureInfo.InvariantCulture, $"{prefix}:Arch:{Architecture:D5}:UNDI:{undi}");
        }
    }

    /// <summary>How checks name this client, e.g. "arch 7 (efi-x64)" or "iPXE arch 0 (bios)".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{(Ipxe ? "iPXE " : string.Empty)}arch {Architecture} ({FirmwareKindNames.ToName(Kind)})");

    /// <summary>
    /// Every firmware to probe for <paramref name="architectures"/>: each as bare firmware, then as the iPXE
    /// it loads. UEFI HTTP Boot loads an EFI iPXE, which then reports arch 7, so HTTP Boot has no iPXE twin of its own.
    /// </summary>
    public static IReadOnlyList<BootPathFirmware> For(IEnumerable<ushort> architectures)
    {
        ArgumentNullException.ThrowIfNull(architectures);
        var arches = architectures.Distinct().ToList();
        var list = arches.Select(a => new BootPathFirmware(a, Ipxe: false)).ToList();
        list.AddRange(arches.Where(a => !FirmwareKindNames.IsHttpBoot(ClientArchitecture.ToFirmwareKind(a))).Select(a => new BootPathFirmware(a, Ipxe: true)));
        if (list.Count > 0 && !list.Any(f => f.Ipxe))
        {
            // Only HTTP Boot was asked for: its iPXE still asks DHCP again, as EFI x64.
            list.Add(new BootPathFirmware(7, Ipxe: true));
        }

        return list;
    }
}
