namespace NodeFoundry.Boot;

/// <summary>The stable codes of <see cref="LintFinding"/>s (docs/http-routes.md lists what each means).</summary>
public static class LintCodes
{
    /// <summary>The script does not start with <c>#!ipxe</c>: iPXE would not run it as a script.</summary>
    public const string IpxeMagic = "NF-IPXE-MAGIC";

    /// <summary><c>goto</c> names a label the script does not define.</summary>
    public const string IpxeLabel = "NF-IPXE-LABEL";

    /// <summary>A download command has no <c>--timeout</c>.</summary>
    public const string IpxeTimeout = "NF-IPXE-TIMEOUT";

    /// <summary>A kernel argument starts with '#', which iPXE reads as the start of a comment.</summary>
    public const string IpxeComment = "NF-IPXE-COMMENT";

    /// <summary>A <c>${</c> setting reference is never closed.</summary>
    public const string IpxeSetting = "NF-IPXE-SETTING";

    /// <summary>The NoCloud seed URL (<c>s=</c>/<c>seedfrom=</c>) does not end with '/'.</summary>
    public const string NoCloudSlash = "NF-NOCLOUD-SLASH";

    /// <summary>A NoCloud seed is given without the <c>autoinstall</c> kernel argument, so Subiquity asks before installing.</summary>
    public const string AutoinstallKeyword = "NF-AUTOINSTALL-KEYWORD";

    /// <summary>A preseed boot without both <c>auto=true</c> and <c>priority=critical</c>, or without <c>url=</c>.</summary>
    public const string PreseedAuto = "NF-PRESEED-AUTO";

    /// <summary><c>inst.ks=</c> is empty or not a URL, or the removed <c>ks=</c> spelling is used.</summary>
    public const string KickstartUrl = "NF-KICKSTART-URL";

    /// <summary>user-data does not start with the line <c>#cloud-config</c>.</summary>
    public const string CloudConfigHeader = "NF-CLOUDCONFIG-HEADER";

    /// <summary>The YAML does not parse.</summary>
    public const string YamlSyntax = "NF-YAML-SYNTAX";

    /// <summary>user-data has no top-level <c>autoinstall:</c> mapping.</summary>
    public const string AutoinstallMissing = "NF-AUTOINSTALL-MISSING";

    /// <summary><c>autoinstall.version</c> is missing or not 1.</summary>
    public const string AutoinstallVersion = "NF-AUTOINSTALL-VERSION";

    /// <summary>autoinstall has neither <c>identity</c> nor <c>user-data</c>: Subiquity stops and asks.</summary>
    public const string AutoinstallIdentity = "NF-AUTOINSTALL-IDENTITY";

    /// <summary>A password is written in plain text instead of as a crypt(3) hash.</summary>
    public const string PasswordPlaintext = "NF-PASSWORD-PLAINTEXT";

    /// <summary>The user's password is locked and no SSH key is installed: nobody can log in.</summary>
    public const string NoLogin = "NF-NO-LOGIN";

    /// <summary>meta-data has no <c>instance-id</c>.</summary>
    public const string InstanceId = "NF-INSTANCE-ID";

    /// <summary>The <c>instance-id</c> contains '/', which cloud-init uses as a directory name.</summary>
    public const string InstanceIdSlash = "NF-INSTANCE-ID-SLASH";

    /// <summary>network-config is not version 1 or 2.</summary>
    public const string NetworkVersion = "NF-NETWORK-VERSION";

    /// <summary>The kickstart has no <c>%packages</c> section.</summary>
    public const string KickstartPackages = "NF-KS-PACKAGES";

    /// <summary>A kickstart section (<c>%packages</c>, <c>%pre</c>, <c>%post</c>, …) is not closed with <c>%end</c>.</summary>
    public const string KickstartEnd = "NF-KS-END";

    /// <summary>The kickstart does not end with reboot/poweroff/shutdown/halt: anaconda waits for a key press.</summary>
    public const string KickstartNoReboot = "NF-KS-NO-REBOOT";

    /// <summary>The kickstart names no installation source; it then depends on <c>inst.repo=</c> on the kernel line.</summary>
    public const string KickstartSource = "NF-KS-SOURCE";

    /// <summary>A preseed line is not <c>owner question type value</c> with a known type.</summary>
    public const string PreseedSyntax = "NF-PRESEED-SYNTAX";

    /// <summary>The preseed does not confirm partitioning: the installer stops and asks.</summary>
    public const string PreseedPartman = "NF-PRESEED-PARTMAN";

    /// <summary>The preseed does not skip the final "installation complete" note.</summary>
    public const string PreseedReboot = "NF-PRESEED-REBOOT";

    /// <summary>A secret reference could not be resolved, or did not hold a crypt(3) hash.</summary>
    public const string Secret = "NF-SECRET";
}
