namespace NodeFoundry.Power;

/// <summary>The device a node boots from next.</summary>
public enum BootDevice
{
    /// <summary>No override: the firmware's own boot order.</summary>
    None,

    /// <summary>Network boot (PXE).</summary>
    Pxe,

    /// <summary>Local disk.</summary>
    Disk,

    /// <summary>UEFI HTTP Boot (Redfish <c>UefiHttp</c>; IPMI has no such device and reports it as unsupported).</summary>
    UefiHttp,

    /// <summary>Firmware setup.</summary>
    BiosSetup,
}
