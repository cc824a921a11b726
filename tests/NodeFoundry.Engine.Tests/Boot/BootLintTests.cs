using NodeFoundry.Boot;

namespace NodeFoundry.Tests.Boot;

/// <summary>One test per lint failure: a minimal broken text, the code, the severity and the line it points at.</summary>
public sealed class BootLintTests
{
    private const string GoodKernelLine = "kernel --timeout 30000 http://192.0.2.1/vmlinuz";

    private static LintFinding Single(IReadOnlyList<LintFinding> findings, string code)
    {
        LintFinding finding = Assert.Single(findings, f => f.Code == code);
        Assert.EndsWith(".", finding.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(finding.Fix));
        return finding;
    }

    [Fact]
    public void Every_rendered_script_and_answer_file_of_the_test_fleet_is_clean()
    {
        BootRenderer renderer = BootTestFleet.Renderer();
        foreach (var node in BootTestFleet.Fleet.Nodes)
        {
            Assert.Empty(renderer.RenderScript(node).Findings);
            Assert.All(renderer.RenderAnswerFiles(node), f => Assert.Empty(f.Findings));
        }
    }

    [Fact]
    public void A_script_without_the_ipxe_magic_line_is_an_error()
    {
        LintFinding f = Single(BootLint.Ipxe("echo hello\nexit\n"), LintCodes.IpxeMagic);
        Assert.Equal((LintSeverity.Error, 1), (f.Severity, f.Line));
    }

    [Fact]
    public void A_nocloud_seed_url_without_trailing_slash_is_an_error()
    {
        LintFinding f = Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} autoinstall ds=nocloud-net;s=http://192.0.2.1/nocloud/52:54:00:00:00:01\nboot\n"), LintCodes.NoCloudSlash);
        Assert.Equal((LintSeverity.Error, 2), (f.Severity, f.Line));
        Assert.Contains("s=http://192.0.2.1/nocloud/52:54:00:00:00:01/", f.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seedfrom_url_without_trailing_slash_is_an_error_too()
    {
        Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} autoinstall ds=nocloud;seedfrom=http://192.0.2.1/seed\n"), LintCodes.NoCloudSlash);
    }

    [Fact]
    public void A_nocloud_seed_without_the_autoinstall_argument_is_an_error()
    {
        LintFinding f = Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} ds=nocloud-net;s=http://192.0.2.1/nocloud/x/\n"), LintCodes.AutoinstallKeyword);
        Assert.Equal(2, f.Line);
    }

    [Fact]
    public void A_goto_to_a_missing_label_is_an_error()
    {
        LintFinding f = Single(BootLint.Ipxe("#!ipxe\n:retry\nchain --timeout 5000 http://192.0.2.1/x || goto retyr\n"), LintCodes.IpxeLabel);
        Assert.Equal(3, f.Line);
        Assert.Contains("retyr", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_download_without_timeout_is_a_warning()
    {
        LintFinding f = Single(BootLint.Ipxe("#!ipxe\ninitrd http://192.0.2.1/initrd\n"), LintCodes.IpxeTimeout);
        Assert.Equal((LintSeverity.Warning, 2), (f.Severity, f.Line));
    }

    [Fact]
    public void A_kernel_argument_starting_with_hash_is_an_error()
    {
        Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} quiet #comment rd.debug\n"), LintCodes.IpxeComment);
    }

    [Fact]
    public void An_unclosed_setting_is_an_error()
    {
        Single(BootLint.Ipxe("#!ipxe\nchain --timeout 1000 http://192.0.2.1/${mac.ipxe\n"), LintCodes.IpxeSetting);
    }

    [Fact]
    public void A_preseed_boot_without_priority_critical_is_an_error()
    {
        Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} auto=true url=http://192.0.2.1/preseed/x.cfg\n"), LintCodes.PreseedAuto);
    }

    [Fact]
    public void A_kickstart_argument_without_a_location_is_an_error()
    {
        Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} inst.ks=\n"), LintCodes.KickstartUrl);
    }

    [Fact]
    public void The_old_ks_spelling_is_an_error()
    {
        Single(BootLint.Ipxe($"#!ipxe\n{GoodKernelLine} ks=http://192.0.2.1/ks/x.cfg\n"), LintCodes.KickstartUrl);
    }

    [Fact]
    public void User_data_without_cloud_config_header_is_an_error()
    {
        LintFinding f = Single(BootLint.UserData("autoinstall:\n  version: 1\n  identity: {hostname: a, username: b, password: '$6$a$b'}\n"), LintCodes.CloudConfigHeader);
        Assert.Equal(1, f.Line);
    }

    [Fact]
    public void User_data_without_autoinstall_is_an_error()
    {
        Single(BootLint.UserData("#cloud-config\nusers: []\n"), LintCodes.AutoinstallMissing);
    }

    [Fact]
    public void User_data_with_another_autoinstall_version_is_an_error()
    {
        LintFinding f = Single(BootLint.UserData("#cloud-config\nautoinstall:\n  version: 2\n  identity: {hostname: a, username: b, password: '$6$a$b'}\n"), LintCodes.AutoinstallVersion);
        Assert.Equal(3, f.Line);
    }

    [Fact]
    public void User_data_without_identity_is_an_error()
    {
        Single(BootLint.UserData("#cloud-config\nautoinstall:\n  version: 1\n"), LintCodes.AutoinstallIdentity);
    }

    [Fact]
    public void User_data_with_a_plain_text_password_is_an_error()
    {
        LintFinding f = Single(BootLint.UserData("#cloud-config\nautoinstall:\n  version: 1\n  identity:\n    hostname: a\n    username: b\n    password: hunter2\n"), LintCodes.PasswordPlaintext);
        Assert.Equal(7, f.Line);
    }

    [Fact]
    public void A_locked_password_without_ssh_keys_is_a_warning()
    {
        LintFinding f = Single(BootLint.UserData("#cloud-config\nautoinstall:\n  version: 1\n  identity: {hostname: a, username: b, password: '!'}\n"), LintCodes.NoLogin);
        Assert.Equal(LintSeverity.Warning, f.Severity);
    }

    [Fact]
    public void User_data_that_does_not_parse_is_an_error_at_its_line()
    {
        LintFinding f = Single(BootLint.UserData("#cloud-config\nautoinstall:\n  version: 1\n   bad: [\n"), LintCodes.YamlSyntax);
        Assert.True(f.Line >= 3);
    }

    [Fact]
    public void Meta_data_without_instance_id_is_an_error()
    {
        Single(BootLint.MetaData("local-hostname: node01\n"), LintCodes.InstanceId);
    }

    [Fact]
    public void Empty_meta_data_is_an_error()
    {
        Single(BootLint.MetaData(string.Empty), LintCodes.InstanceId);
    }

    [Fact]
    public void An_instance_id_with_a_slash_is_an_error()
    {
        Single(BootLint.MetaData("instance-id: lab/node01\n"), LintCodes.InstanceIdSlash);
    }

    [Fact]
    public void Network_config_without_version_is_an_error()
    {
        Single(BootLint.NetworkConfig("ethernets: {}\n"), LintCodes.NetworkVersion);
    }

    [Fact]
    public void Vendor_data_that_is_not_cloud_config_is_an_error()
    {
        Single(BootLint.VendorData("runcmd: []\n"), LintCodes.CloudConfigHeader);
    }

    [Fact]
    public void A_kickstart_without_packages_is_an_error()
    {
        Single(BootLint.Kickstart("text\nurl --url=http://192.0.2.1/rhel-9/\nrootpw --lock\nreboot\n"), LintCodes.KickstartPackages);
    }

    [Fact]
    public void A_kickstart_section_without_end_is_an_error()
    {
        LintFinding f = Single(BootLint.Kickstart("text\nurl --url=http://x/\nreboot\n%packages\n@core\n%post\necho\n%end\n"), LintCodes.KickstartEnd);
        Assert.Equal(4, f.Line);
    }

    [Fact]
    public void A_kickstart_with_a_plain_text_root_password_is_an_error()
    {
        LintFinding f = Single(BootLint.Kickstart("text\nurl --url=http://x/\nrootpw hunter2\nreboot\n%packages\n%end\n"), LintCodes.PasswordPlaintext);
        Assert.Equal(3, f.Line);
    }

    [Fact]
    public void A_kickstart_user_with_a_plain_text_password_is_an_error()
    {
        Single(BootLint.Kickstart("text\nurl --url=http://x/\nrootpw --lock\nuser --name=ops --password=hunter2\nreboot\n%packages\n%end\n"), LintCodes.PasswordPlaintext);
    }

    [Fact]
    public void A_kickstart_without_reboot_is_a_warning()
    {
        Assert.Equal(LintSeverity.Warning, Single(BootLint.Kickstart("text\nurl --url=http://x/\nrootpw --lock\n%packages\n%end\n"), LintCodes.KickstartNoReboot).Severity);
    }

    [Fact]
    public void A_kickstart_without_install_source_is_a_warning()
    {
        Assert.Equal(LintSeverity.Warning, Single(BootLint.Kickstart("text\nrootpw --lock\nreboot\n%packages\n%end\n"), LintCodes.KickstartSource).Severity);
    }

    private const string GoodPreseedTail = "d-i partman/confirm boolean true\nd-i finish-install/reboot_in_progress note\n";

    [Fact]
    public void A_preseed_line_without_a_type_is_an_error()
    {
        LintFinding f = Single(BootLint.Preseed("d-i time/zone Etc/UTC\n" + GoodPreseedTail), LintCodes.PreseedSyntax);
        Assert.Equal(1, f.Line);
    }

    [Fact]
    public void A_preseed_plain_text_password_is_an_error()
    {
        Single(BootLint.Preseed("d-i passwd/user-password password hunter2\n" + GoodPreseedTail), LintCodes.PasswordPlaintext);
    }

    [Fact]
    public void A_preseed_crypted_password_that_is_no_hash_is_an_error()
    {
        Single(BootLint.Preseed("d-i passwd/user-password-crypted password hunter2\n" + GoodPreseedTail), LintCodes.PasswordPlaintext);
    }

    [Fact]
    public void A_preseed_that_does_not_confirm_partitioning_is_an_error()
    {
        Single(BootLint.Preseed("d-i time/zone string Etc/UTC\nd-i finish-install/reboot_in_progress note\n"), LintCodes.PreseedPartman);
    }

    [Fact]
    public void A_preseed_that_waits_at_the_end_is_a_warning()
    {
        Assert.Equal(LintSeverity.Warning, Single(BootLint.Preseed("d-i partman/confirm boolean true\n"), LintCodes.PreseedReboot).Severity);
    }

    [Fact]
    public void Findings_print_compiler_style()
    {
        var finding = new LintFinding(LintCodes.NoCloudSlash, LintSeverity.Error, 9, "Bad.", "Add it.");
        Assert.Equal("error NF-NOCLOUD-SLASH (line 9): Bad. Fix: Add it.", finding.ToString());
    }
}
