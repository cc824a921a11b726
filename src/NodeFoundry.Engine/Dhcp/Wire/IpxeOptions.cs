namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// iPXE's encapsulated option 175 (iPXE include/ipxe/dhcp.h). Clients send it with their
/// features (one sub-option per feature, value 1) and version; servers send settings back in it.
/// </summary>
public static class IpxeOptions
{
    /// <summary>Feature: HTTP download supported.</summary>
    public const byte FeatureHttp = 0x13;

    /// <summary>Feature: HTTPS download supported.</summary>
    public const byte FeatureHttps = 0x14;

    /// <summary>Feature: EFI image format (0x24), i.e. an EFI build of iPXE.</summary>
    public const byte FeatureEfi = 0x24;

    /// <summary>Setting: skip the ProxyDHCP wait.</summary>
    public const byte NoPxeDhcp = 0xB0;

    /// <summary>Client: bus type and ids of the booting NIC.</summary>
    public const byte BusId = 0xB1;

    /// <summary>Client: iPXE version, three bytes major/minor/patch.</summary>
    public const byte Version = 0xEB;

    /// <summary>
    /// Option 175 value <c>B0 01 01</c>: no-pxedhcp = 1. Without it iPXE waits about 3 s for a
    /// ProxyDHCP offer on every boot even when our offer already carries the boot file.
    /// </summary>
    public static byte[] EncodeNoPxeDhcp() => new byte[] { NoPxeDhcp, 1, 1 };

    /// <summary>Sub-options of a client's option 175 (Pad and End honoured; malformed tails dropped).</summary>
    public static IReadOnlyDictionary<byte, byte[]> ParseSubOptions(ReadOnlySpan<byte> option175) =>
        DhcpSubOptions.Parse(option175, padAndEnd: true);
}
