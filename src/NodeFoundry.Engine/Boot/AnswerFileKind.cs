namespace NodeFoundry.Boot;

/// <summary>The answer files NodeFoundry renders for unattended installs.</summary>
public enum AnswerFileKind
{
    /// <summary>NoCloud <c>user-data</c>: <c>#cloud-config</c> with the Ubuntu <c>autoinstall:</c> section.</summary>
    UserData,

    /// <summary>NoCloud <c>meta-data</c>: <c>instance-id</c> and <c>local-hostname</c>.</summary>
    MetaData,

    /// <summary>NoCloud <c>vendor-data</c>: an empty cloud-config, so the optional fetch succeeds.</summary>
    VendorData,

    /// <summary>NoCloud <c>network-config</c> (version 2): DHCP on the boot NIC, matched by MAC.</summary>
    NetworkConfig,

    /// <summary>RHEL-family kickstart.</summary>
    Kickstart,

    /// <summary>Debian installer preseed.</summary>
    Preseed,
}
