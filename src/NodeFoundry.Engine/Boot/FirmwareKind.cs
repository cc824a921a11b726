namespace NodeFoundry.Boot;

/// <summary>
/// The firmware families a boot server tells apart, derived from DHCP option 93 (RFC 4578, IANA
/// "Processor Architecture Types"). The fleet file names loaders per kind with the kebab-case names
/// given on each member (e.g. <c>efi-x64: ipxe.efi</c>).
/// </summary>
public enum FirmwareKind
{
    /// <summary>Architecture code not recognised; logged, never booted blindly.</summary>
    Unknown = 0,

    /// <summary><c>bios</c>: arch 0, x86 legacy BIOS PXE.</summary>
    Bios,

    /// <summary><c>efi-ia32</c>: arch 6.</summary>
    EfiIa32,

    /// <summary><c>efi-x64</c>: arch 7 (IANA x64) and 9 (IANA EBC, sent by much x64 firmware in the field).</summary>
    EfiX64,

    /// <summary><c>efi-arm32</c>: arch 10.</summary>
    EfiArm32,

    /// <summary><c>efi-arm64</c>: arch 11.</summary>
    EfiArm64,

    /// <summary><c>efi-ia32-http</c>: arch 15, UEFI HTTP Boot.</summary>
    EfiIa32Http,

    /// <summary><c>efi-x64-http</c>: arch 16, UEFI HTTP Boot.</summary>
    EfiX64Http,

    /// <summary><c>efi-arm64-http</c>: arch 19, UEFI HTTP Boot.</summary>
    EfiArm64Http,

    /// <summary><c>bios-http</c>: arch 20, x86 BIOS HTTP.</summary>
    BiosHttp,

    /// <summary><c>efi-riscv32</c>: arch 25.</summary>
    EfiRiscV32,

    /// <summary><c>efi-riscv64</c>: arch 27.</summary>
    EfiRiscV64,
}
