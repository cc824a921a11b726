using System.Text;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Renders a Debian installer preseed (Debian 12 syntax): locale and keyboard, the host name, the mirror, the admin
/// user with its crypted hash (or locked), no root login, time zone, unattended partitioning of the chosen disk,
/// packages, GRUB on the default device, then a late command that installs the SSH keys and calls the phone-home
/// route, and reboot without a prompt.
/// </summary>
public static class PreseedRenderer
{
    /// <summary>Used when the profile names no mirror.</summary>
    public const string DefaultMirror = "http://deb.debian.org/debian";

    /// <summary>Renders the preseed for one node.</summary>
    public static string Render(AnswerFileRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = new StringBuilder();
        void D(string question, string type, string value) => p.Append($"d-i {question} {type}{(value.Length == 0 ? string.Empty : " " + value)}\n");

        p.Append($"# NodeFoundry preseed for {r.NodeName} ({MacAddressText.Format(r.MacAddress)}){(r.ProfileName is null ? string.Empty : $", profile {r.ProfileName}")}.\n");
        D("debian-installer/locale", "string", r.Install.Locale);
        D("keyboard-configuration/xkb-keymap", "select", r.Install.Keyboard);
        D("netcfg/choose_interface", "select", "auto");
        D("netcfg/get_hostname", "string", r.ShortHostName);
        D("netcfg/get_domain", "string", r.DomainName ?? "unassigned-domain");
        D("netcfg/hostname", "string", r.ShortHostName);

        Uri mirror = new(r.RepoUrl ?? DefaultMirror);
        D("mirror/country", "string", "manual");
        D("mirror/protocol", "string", mirror.Scheme);
        D($"mirror/{mirror.Scheme}/hostname", "string", mirror.IsDefaultPort ? mirror.Host : $"{mirror.Host}:{mirror.Port}");
        D($"mirror/{mirror.Scheme}/directory", "string", mirror.AbsolutePath.TrimEnd('/'));
        D($"mirror/{mirror.Scheme}/proxy", "string", string.Empty);

        D("passwd/root-login", "boolean", "false");
        if (r.Install.Username is string user)
        {
            D("passwd/user-fullname", "string", user);
            D("passwd/username", "string", user);
            D("passwd/user-password-crypted", "password", r.PasswordHash ?? "!");
        }
        else
        {
            D("passwd/make-user", "boolean", "false");
        }

        D("clock-setup/utc", "boolean", "true");
        D("time/zone", "string", r.Install.Timezone);
        D("clock-setup/ntp", "boolean", "true");

        if (r.Install.Disk is string disk)
        {
            D("partman-auto/disk", "string", disk);
        }

        D("partman-auto/method", "string", r.Install.Storage == "direct" ? "regular" : "lvm");
        D("partman-auto/choose_recipe", "select", "atomic");
        D("partman-auto-lvm/guided_size", "string", "max");
        D("partman-lvm/device_remove_lvm", "boolean", "true");
        D("partman-md/device_remove_md", "boolean", "true");
        D("partman-lvm/confirm", "boolean", "true");
        D("partman-lvm/confirm_nooverwrite", "boolean", "true");
        D("partman-partitioning/confirm_write_new_label", "boolean", "true");
        D("partman/choose_partition", "select", "finish");
        D("partman/confirm", "boolean", "true");
        D("partman/confirm_nooverwrite", "boolean", "true");

        p.Append("tasksel tasksel/first multiselect standard, ssh-server\n");
        var packages = new List<string> { "openssh-server", "curl" };
        packages.AddRange(r.Install.Packages.Where(x => !packages.Contains(x, StringComparer.Ordinal)));
        D("pkgsel/include", "string", string.Join(' ', packages));
        D("pkgsel/upgrade", "select", "none");
        p.Append("popularity-contest popularity-contest/participate boolean false\n");

        D("grub-installer/only_debian", "boolean", "true");
        D("grub-installer/bootdev", "string", "default");
        if (r.SerialConsole is string console)
        {
            D("debian-installer/add-kernel-opts", "string", $"console=tty0 console={console}");
        }

        var late = new List<string>();
        if (r.Install.Username is string owner && r.Install.SshAuthorizedKeys.Count > 0)
        {
            late.Add($"mkdir -p /target/home/{owner}/.ssh");
            late.AddRange(r.Install.SshAuthorizedKeys.Select(key => $"echo '{key}' >> /target/home/{owner}/.ssh/authorized_keys"));
            late.Add($"in-target chown -R {owner}:{owner} /home/{owner}/.ssh");
            late.Add($"chmod 700 /target/home/{owner}/.ssh");
            late.Add($"chmod 600 /target/home/{owner}/.ssh/authorized_keys");
        }

        if (r.Install.PhoneHome)
        {
            late.Add($"wget -q -O /dev/null {r.PhoneHomeUrl} || true");
        }

        if (late.Count > 0)
        {
            D("preseed/late_command", "string", string.Join("; ", late));
        }

        D("finish-install/reboot_in_progress", "note", string.Empty);
        return p.ToString();
    }
}
