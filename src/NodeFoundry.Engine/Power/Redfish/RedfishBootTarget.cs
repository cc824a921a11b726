namespace NodeFoundry.Power.Redfish;

/// <summary>The Redfish <c>Boot.BootSourceOverrideTarget</c> names for <see cref="BootDevice"/> (DMTF ComputerSystem schema). Pure.</summary>
public static class RedfishBootTarget
{
    /// <summary>The override target for a device (Disk is <c>Hdd</c> in Redfish).</summary>
    public static string ToTarget(BootDevice device) => device switch
    {
        BootDevice.None => "None",
        BootDevice.Pxe => "Pxe",
        BootDevice.Disk => "Hdd",
        BootDevice.UefiHttp => "UefiHttp",
        BootDevice.BiosSetup => "BiosSetup",
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "unknown boot device"),
    };

    /// <summary>The device for an override target; targets NodeFoundry does not set (Cd, Usb, …) read as null.</summary>
    public static BootDevice? FromTarget(string? target) => target switch
    {
        null or "None" => BootDevice.None,
        "Pxe" => BootDevice.Pxe,
        "Hdd" => BootDevice.Disk,
        "UefiHttp" => BootDevice.UefiHttp,
        "BiosSetup" => BootDevice.BiosSetup,
        _ => null,
    };
}
