namespace NodeFoundry.Power;

/// <summary>A next-boot override: device, firmware mode and whether it sticks.</summary>
/// <param name="Device">The device to boot from.</param>
/// <param name="Uefi">True to boot in UEFI mode (IPMI boot flag bit 5; Redfish <c>BootSourceOverrideMode</c> = <c>UEFI</c>), false for legacy BIOS.</param>
/// <param name="Persistent">False: the next boot only (IPMI "valid for next boot", Redfish <c>Once</c>); true: until changed.</param>
public sealed record BootOverride(BootDevice Device, bool Uefi = true, bool Persistent = false);
