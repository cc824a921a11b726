
namespace NodeFoundry.Boot;

/// <summary>The kebab-case names the fleet file uses for <see cref="FirmwareKind"/> values (<c>boot.loaders</c> keys).</summary>
public static class FirmwareKindNames
{
    private static readonly (FirmwareKind Kind, string Name)[] Table =
    [
        (FirmwareKind.Bios, "bios"),
        (FirmwareKind.EfiIa32, "efi-ia32"),
        (FirmwareKind.EfiX64, "efi-x64"),
        (FirmwareKind.EfiArm32, "efi-arm32"),
        (FirmwareKind.EfiArm64, "efi-arm64"),
        (FirmwareKind.EfiIa32Http, "efi-ia32-http"),
        (FirmwareKind.EfiX64Http, "efi-x64-http"),
        (FirmwareKind.EfiArm64Http, "efi-arm64-http"),
        (FirmwareKind.BiosHttp, "bios-http"),
        (FirmwareKind.EfiRiscV32, "efi-riscv32"),
        (FirmwareKind.EfiRiscV64, "efi-riscv64"),
    ];

    /// <summary>Every name, in enum order (<see cref="FirmwareKind.Unknown"/> has none).</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Table.Select(t => t.Name).ToArray());

    /// <summary>The kebab-case name of <paramref name="kind"/>, or <c>unknown</c>.</summary>
    public static string ToName(FirmwareKind kind)
    {
        foreach ((FirmwareKind k, string name) in Table)
        {
            if (k == kind)
            {
                return name;
            }
        }

        return "unknown";
    }

    /// <summary>Parses a kebab-case name (case-insensitive); <see cref="FirmwareKind.Unknown"/> is never returned.</summary>
    public static bool TryParse(string? name, out FirmwareKind kind)
    {
        foreach ((FirmwareKind k, string n) in Table)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = FirmwareKind.Unknown;
        return false;
    }

    /// <summary>True for the kinds that fetch their loader over HTTP and must be given a full URL.</summary>
    public static bool IsHttpBoot(FirmwareKind kind) =>
        kind is FirmwareKind.EfiIa32Http or FirmwareKind.EfiX64Http or FirmwareKind.EfiArm64Http or FirmwareKind.BiosHttp;
}
