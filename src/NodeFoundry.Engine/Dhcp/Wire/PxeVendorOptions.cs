namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// Option 43 contents for PXE clients (PXE 2.1 specification §2.2.5 / table 2-1): PXE
/// sub-options, terminated by End. A PXE ROM that gets option 60 "PXEClient" back without option 43
/// may start boot-server discovery (a multicast/broadcast round trip to port 4011) before loading.
/// </summary>
public static class PxeVendorOptions
{
    /// <summary>Sub-option 6, PXE_DISCOVERY_CONTROL.</summary>
    public const byte DiscoveryControlCode = 6;

    /// <summary>
    /// Discovery-control bit 3: "if both the boot file name and the boot server are known, download
    /// directly" — i.e. skip discovery and boot the file in the reply.
    /// </summary>
    public const byte BootFileDirectly = 8;

    /// <summary>Option 43 value <c>06 01 xx FF</c>: discovery control, then End.</summary>
    /// <param name="discoveryControl">Bit field: 1 no broadcast, 2 no multicast, 4 server list only, 8 boot the file directly.</param>
    public static byte[] Encode(byte discoveryControl) =>
        new byte[] { DiscoveryControlCode, 1, discoveryControl, (byte)DhcpOptionCode.End };
}
