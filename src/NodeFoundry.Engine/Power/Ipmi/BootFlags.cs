using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// System boot option parameter 5, "boot flags" (IPMI v2.0 table 28-14), 5 data bytes. Byte 1: bit 7 flags valid,
/// bit 6 persistent (1) or next boot only (0), bit 5 EFI (1) or legacy PC-compatible (0). Byte 2 bits 5:2 boot device
/// selector: 0001b PXE, 0010b default hard disk, 0101b CD/DVD, 0110b BIOS setup; 0000b no override. Bytes 3-5: console
/// redirection, BIOS verbosity and mux control, left 0 (firmware defaults), as ipmitool leaves them.
/// </summary>
public sealed record BootFlags(bool Valid, bool Persistent, bool Efi, byte DeviceSelector)
{
    /// <summary>The parameter selector of the boot flags.</summary>
    public const byte ParameterSelector = 5;

    /// <summary>Selector 0001b: force PXE.</summary>
    public const byte SelectorPxe = 0x1;

    /// <summary>Selector 0010b: force boot from the default hard disk.</summary>
    public const byte SelectorDisk = 0x2;

    /// <summary>Selector 0101b: force boot from CD/DVD.</summary>
    public const byte SelectorCdDvd = 0x5;

    /// <summary>Selector 0110b: force boot into BIOS setup.</summary>
    public const byte SelectorBiosSetup = 0x6;

    /// <summary>The flags for a NodeFoundry boot override; UEFI HTTP Boot has no IPMI selector and is refused by the caller.</summary>
    public static BootFlags From(BootOverride bootOverride)
    {
        ArgumentNullException.ThrowIfNull(bootOverride);
        var selector = bootOverride.Device switch
        {
            BootDevice.None => (byte)0,
            BootDevice.Pxe => SelectorPxe,
            BootDevice.Disk => SelectorDisk,
            BootDevice.BiosSetup => SelectorBiosSetup,
            _ => throw new ArgumentOutOfRangeException(nameof(bootOverride), bootOverride.Device, "IPMI boot flags have no selector for this device"),
        };

        // "No override" is written as flags that are not valid, so the firmware uses its own order.
        var valid = bootOverride.Device != BootDevice.None;
        return new BootFlags(valid, valid && bootOverride.Persistent, valid && bootOverride.Uefi, selector);
    }

    /// <summary>The boot override these flags describe; flags not marked valid mean no override.</summary>
    public BootOverride ToBootOverride()
    {
        var device = !Valid ? BootDevice.None : DeviceSelector switch
        {
            SelectorPxe => BootDevice.Pxe,
            SelectorDisk => BootDevice.Disk,
            SelectorBiosSetup => BootDevice.BiosSetup,
            _ => BootDevice.None,
        };
        return new BootOverride(device, Efi, Persistent);
    }

    /// <summary>The 5 parameter data bytes.</summary>
    public byte[] Encode() =>
    [
        (byte)((Valid ? 0x80 : 0) | (Persistent ? 0x40 : 0) | (Efi ? 0x20 : 0)),
        (byte)((DeviceSelector & 0x0F) << 2),
        0x00,
        0x00,
        0x00,
    ];

    /// <summary>Parses the 5 parameter data bytes; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out BootFlags? flags, [NotNullWhen(false)] out string? error)
    {
        flags = null;
        if (data.Length < 2)
        {
            error = $"boot flags need at least 2 bytes, got {data.Length}";
            return false;
        }

        flags = new BootFlags((data[0] & 0x80) != 0, (data[0] & 0x40) != 0, (data[0] & 0x20) != 0, (byte)((data[1] >> 2) & 0x0F));
        error = null;
        return true;
    }
}
