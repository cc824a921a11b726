using System.Text;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Renders a RHEL-family kickstart (RHEL/Rocky/Alma 8 and 9 syntax): text mode, install tree, locale, keyboard, time
/// zone, the boot NIC on DHCP (by MAC), root locked, the admin user with its crypted hash (or locked) and SSH keys,
/// the disk layout, <c>%packages</c>, a <c>%post --nochroot</c> that calls the phone-home route, and reboot.
/// </summary>
public static class KickstartRenderer
{
    /// <summary>Renders the kickstart for one node.</summary>
    public static string Render(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        InstallSettingsView i = new(r);
        var k = new StringBuilder();
        k.Append($"# NodeFoundry kickstart for {r.NodeName} ({MacAddressText.Format(r.MacAddress)}){(r.ProfileName is null ? string.Empty : $", profile {r.ProfileName}")}.\n");
        k.Append("text\n");
        if (r.RepoUrl is not null)
        {
            k.Append($"url --url={r.RepoUrl}\n");
        }

        k.Append($"lang {r.Install.Locale}\n");
        k.Append($"keyboard --vckeymap={r.Install.Keyboard}\n");
        k.Append($"timezone {r.Install.Timezone} --utc\n");
        k.Append($"network --bootproto=dhcp --device={MacAddressText.Format(r.MacAddress)} --hostname={r.HostName} --activate\n");
        k.Append("rootpw --lock\n");
        if (r.Install.Username is string user)
        {
            k.Append(r.PasswordHash is string hash
                ? $"user --name={user} --groups=wheel --iscrypted --password={hash}\n"
                : $"user --name={user} --groups=wheel --lock\n");
            foreach (string key in r.Install.SshAuthorizedKeys)
            {
                k.Append($"sshkey --username={user} \"{key}\"\n");
            }
        }

        k.Append("zerombr\n");
        if (i.DiskName is string disk)
        {
            k.Append($"ignoredisk --only-use={disk}\n");
            k.Append($"clearpart --all --initlabel --drives={disk}\n");
        }
        else
        {
            k.Append("clearpart --all --initlabel\n");
        }

        k.Append($"autopart --type={(r.Install.Storage == "direct" ? "plain" : "lvm")}\n");
        k.Append(r.SerialConsole is string console
            ? $"bootloader --append=\"console=tty0 console={console}\"\n"
            : "bootloader\n");
        k.Append("reboot\n");
        k.Append('\n');
        k.Append("%packages\n");
        k.Append("@^minimal-environment\n");
        k.Append("openssh-server\n");
        foreach (string package in r.Install.Packages.Where(p => p != "openssh-server"))
        {
            k.Append(package).Append('\n');
        }

        k.Append("%end\n");
        if (r.Install.PhoneHome)
        {
            k.Append('\n');
            k.Append("%post --nochroot\n");
            k.Append($"curl -fsS -X POST {r.PhoneHomeUrl} || :\n");
            k.Append("%end\n");
        }

        return k.ToString();
    }

    /// <summary>Kickstart names disks without <c>/dev/</c>.</summary>
    private readonly struct InstallSettingsView(AnswerFileRequest r)
    {
        public string? DiskName { get; } = r.Install.Disk is string disk && disk.StartsWith("/dev/", StringComparison.Ordinal)
            ? disk["/dev/".Length..]
            : r.Install.Disk;
    }
}
