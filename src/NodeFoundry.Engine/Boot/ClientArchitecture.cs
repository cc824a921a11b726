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

    /// <summary>
    /// True for the HTTP Boot kinds: the reply must echo option 60 <c>HTTPClient</c> and carry a full
    /// <c>http://</c> URL as the boot file, or the firmware discards the offer.
    /// </summary>
    public static bool IsHttpBoot(FirmwareKind kind) =>
        kind is FirmwareKind.EfiIa32Http or FirmwareKind.EfiX64Http or FirmwareKind.EfiArm64Http or FirmwareKind.BiosHttp;

    /// <summary>The fleet file's name for a kind (<c>efi-x64</c>), the inverse of <see cref="TryParseName"/>.</summary>
    public static string ToName(FirmwareKind kind) => kind switch
    {
        FirmwareKind.Bios => "bios",
        FirmwareKind.EfiIa32 => "efi-ia32",
        FirmwareKind.EfiX64 => "efi-x64",
        FirmwareKind.EfiArm32 => "efi-arm32",
        FirmwareKind.EfiArm64 => "efi-arm64",
        FirmwareKind.EfiIa32Http => "efi-ia32-http",
        FirmwareKind.EfiX64Http => "efi-x64-http",
        FirmwareKind.EfiArm64Http => "efi-arm64-http",
        FirmwareKind.BiosHttp => "bios-http",
        FirmwareKind.EfiRiscV32 => "efi-riscv32",
        FirmwareKind.EfiRiscV64 => "efi-riscv64",
        _ => "unknown",
    };

    public static bool TryParseName(string name, out FirmwareKind kind)
    {
        foreach (var candidate in Enum.GetValues<FirmwareKind>())
        {
            if (candidate != FirmwareKind.Unknown && string.Equals(ToName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = FirmwareKind.Unknown;
        return false;
    }
}
