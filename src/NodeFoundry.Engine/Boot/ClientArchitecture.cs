namespace NodeFoundry.Boot;

/// <summary>
/// DHCP option 93 (RFC 4578 §2.1, IANA "Processor Architecture Types") to <see cref="FirmwareKind"/>.
/// This is the one place that knows the codes.
/// </summary>
public static class ClientArchitecture
{
    /// <summary>
    /// Maps an option 93 code to the firmware family. 7 is EFI x64 per IANA; 9 is registered as EFI
    /// Byte Code, but much x64 firmware in the field sends 9, and no real EBC client exists — both
    /// map to <see cref="FirmwareKind.EfiX64"/>.
    /// </summary>
    public static FirmwareKind ToFirmwareKind(ushort code) => code switch
    {
        0 => FirmwareKind.Bios,
        6 => FirmwareKind.EfiIa32,
        7 or 9 => FirmwareKind.EfiX64,
        10 => FirmwareKind.EfiArm32,
        11 => FirmwareKind.EfiArm64,
        15 => FirmwareKind.EfiIa32Http,
        16 => FirmwareKind.EfiX64Http,
        19 => FirmwareKind.EfiArm64Http,
        20 => FirmwareKind.BiosHttp,
        25 => FirmwareKind.EfiRiscV32,
        27 => FirmwareKind.EfiRiscV64,
        _ => FirmwareKind.Unknown,
    };
}
