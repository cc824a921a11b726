using System.Text;
using static NodeFoundry.Boot.YamlText;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Renders an Ubuntu autoinstall NoCloud seed: <c>user-data</c> (<c>#cloud-config</c> with <c>autoinstall:</c> and
/// <c>version: 1</c>), <c>meta-data</c> (<c>instance-id</c>), <c>vendor-data</c> and <c>network-config</c>. The
/// installer reads them from <c>ds=nocloud-net;s=…/nocloud/{mac}/</c>.
/// </summary>
public static class NoCloudRenderer
{
    /// <summary>The seed file of one kind.</summary>
    public static string Render(AnswerFileKind kind, AnswerFileRequest request) => kind switch
    {
        AnswerFileKind.UserData => UserData(request),
        AnswerFileKind.MetaData => MetaData(request),
        AnswerFileKind.VendorData => VendorData(request),
        AnswerFileKind.NetworkConfig => NetworkConfig(request),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a NoCloud seed file."),
    };

    /// <summary>
    /// <c>user-data</c>: locale, keyboard, time zone, the boot NIC on DHCP, identity (password hash or locked), SSH
    /// (server installed, keys only), storage layout, packages, and a late command that calls the phone-home route.
    /// </summary>
    public static string UserData(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var y = new StringBuilder();
        y.Append("#cloud-config\n");
        y.Append($"# NodeFoundry autoinstall for {r.NodeName} ({MacAddressText.Format(r.MacAddress)}){Profile(r)}.\n");
        y.Append("autoinstall:\n");
        y.Append("  version: 1\n");
        y.Append($"  locale: {Scalar(r.Install.Locale)}\n");
        y.Append("  keyboard:\n");
        y.Append($"    layout: {Scalar(r.Install.Keyboard)}\n");
        y.Append($"  timezone: {Scalar(r.Install.Timezone)}\n");
        y.Append("  network:\n");
        y.Append("    version: 2\n");
        y.Append("    ethernets:\n");
        y.Append("      boot0:\n");
        y.Append("        match:\n");
        y.Append($"          macaddress: {Scalar(MacAddressText.Format(r.MacAddress))}\n");
        y.Append("        dhcp4: true\n");
        if (r.Install.Username is string user)
        {
            y.Append("  identity:\n");
            y.Append($"    hostname: {Scalar(r.ShortHostName)}\n");
            y.Append($"    username: {Scalar(user)}\n");
            y.Append($"    password: {Scalar(r.PasswordHash ?? "!")}\n");
        }

        y.Append("  ssh:\n");
        y.Append("    install-server: true\n");
        y.Append("    allow-pw: false\n");
        if (r.Install.SshAuthorizedKeys.Count > 0)
        {
            y.Append("    authorized-keys:\n");
            foreach (string key in r.Install.SshAuthorizedKeys)
            {
                y.Append($"      - {Scalar(key)}\n");
            }
        }

        y.Append("  storage:\n");
        y.Append("    layout:\n");
        y.Append($"      name: {(r.Install.Storage == "direct" ? "direct" : "lvm")}\n");
        if (r.Install.Disk is string disk)
        {
            y.Append("      match:\n");
            y.Append($"        path: {Scalar(disk)}\n");
        }

        if (r.Install.Packages.Count > 0)
        {
            y.Append("  packages:\n");
            foreach (string package in r.Install.Packages)
            {
                y.Append($"    - {Scalar(package)}\n");
            }
        }

        var late = new List<string>();
        if (r.SerialConsole is string console)
        {
            late.Add($"curtin in-target -- sed -i 's/^GRUB_CMDLINE_LINUX=\"/GRUB_CMDLINE_LINUX=\"console=tty0 console={console} /' /etc/default/grub");
            late.Add("curtin in-target -- update-grub");
        }

        if (r.Install.PhoneHome)
        {
            late.Add($"curl -fsS -X POST {r.PhoneHomeUrl} || true");
        }

        if (late.Count > 0)
        {
            y.Append("  late-commands:\n");
            foreach (string command in late)
            {
                y.Append($"    - {Scalar(command)}\n");
            }
        }

        return y.ToString();
    }

    /// <summary><c>meta-data</c>: a stable <c>instance-id</c> (<c>nf-{name}</c>) and the host name.</summary>
    public static string MetaData(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return $"instance-id: {Scalar(InstanceId(r.NodeName))}\nlocal-hostname: {Scalar(r.ShortHostName)}\n";
    }

    /// <summary><c>vendor-data</c>: an empty cloud-config, so cloud-init's optional fetch finds a file.</summary>
    public static string VendorData(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return $"#cloud-config\n# NodeFoundry: no vendor data for {r.NodeName}.\n{{}}\n";
    }

    /// <summary>
    /// <c>network-config</c> (version 2): DHCP on the boot NIC only, matched by MAC, so the installer does not wait
    /// for the other NICs of a multi-NIC node.
    /// </summary>
    public static string NetworkConfig(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return "version: 2\n"
            + "ethernets:\n"
            + "  boot0:\n"
            + "    match:\n"
            + $"      macaddress: {Scalar(MacAddressText.Format(r.MacAddress))}\n"
            + "    dhcp4: true\n";
    }

    /// <summary>The <c>instance-id</c> for a node name: <c>nf-</c> and the name (node names never hold '/').</summary>
    public static string InstanceId(string nodeName) => "nf-" + nodeName;

    private static string Profile(AnswerFileRequest r) => r.ProfileName is null ? string.Empty : $", profile {r.ProfileName}";
}
