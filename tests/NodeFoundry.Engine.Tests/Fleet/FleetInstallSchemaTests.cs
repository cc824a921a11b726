using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

/// <summary>The profile keys the boot renderers read: errors with line, column and fix, and secrets kept out.</summary>
public sealed class FleetInstallSchemaTests
{
    private const string Head = "server:\n  address: 192.0.2.1\ndhcp:\n  mode: proxy\nprofiles:\n  p:\n";

    public static TheoryData<string, string, string, int, int, string> Cases => new()
    {
        { "plain password under install", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      password: hunter2\n", "profiles.p.install.password", 12, 7, "passwordHash: file:" },
        { "a hash written into the fleet file", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      passwordHash: $6$salt$hash\n", "profiles.p.install.passwordHash", 12, 21, "file:secrets/ops.hash" },
        { "a reference with an unknown scheme", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      passwordHash: vault:ops\n", "profiles.p.install.passwordHash", 12, 21, "file:PATH" },
        { "hash without user", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      passwordHash: file:ops.hash\n", "profiles.p.install.passwordHash", 11, 21, "username:" },
        { "not an ssh key", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      sshAuthorizedKeys: [\"hello world\"]\n", "profiles.p.install.sshAuthorizedKeys[0]", 12, 27, "key type" },
        { "root as the user", "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: root\n", "profiles.p.install.username", 11, 17, "ops" },
        { "bad storage", "    os: rhel\n    kernel: k\n    initrd: i\n    install: { storage: zfs }\n", "profiles.p.install.storage", 10, 25, "lvm, direct" },
        { "bad disk", "    os: rhel\n    kernel: k\n    initrd: i\n    install: { disk: sda }\n", "profiles.p.install.disk", 10, 22, "/dev/sda" },
        { "bad console", "    os: rhel\n    kernel: k\n    initrd: i\n    serialConsole: com1\n", "profiles.p.serialConsole", 10, 20, "ttyS0,115200n8" },
        { "bad arch", "    os: rhel\n    kernel: k\n    initrd: i\n    arch: amd65\n", "profiles.p.arch", 10, 11, "x86_64, arm64" },
        { "chain without url", "    os: chain\n", "profiles.p.url", 7, 5, "url:" },
        { "cmdline with an iPXE comment", "    os: custom\n    kernel: k\n    cmdline: \"quiet #debug\"\n", "profiles.p.cmdline", 9, 14, "'#'" },
        { "cmdline with an iPXE separator", "    os: custom\n    kernel: k\n    cmdline: \"quiet || reboot\"\n", "profiles.p.cmdline", 9, 14, "separated by spaces" },
        { "attempts out of range", "    os: local\nboot:\n  attempts: 0\n", "boot.attempts", 9, 13, "from 1 to 100" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_field_line_column_and_fix(string name, string body, string field, int line, int column, string fix)
    {
        FleetLoadResult result = FleetLoader.Parse(Head + body, "bad.yaml");

        Assert.False(result.IsValid, name);
        FleetError? error = result.Errors.FirstOrDefault(e => e.Field == field);
        Assert.True(error is not null, $"{name}: no error for '{field}'. Got:{Environment.NewLine}{string.Join(Environment.NewLine, result.Errors)}");
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hash_in_the_fleet_file_is_never_echoed_in_the_error()
    {
        FleetLoadResult result = FleetLoader.Parse(Head + "    os: ubuntu\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      passwordHash: $6$salt$secrethash\n", "bad.yaml");

        FleetError error = Assert.Single(result.Errors);
        Assert.DoesNotContain("secrethash", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, error.Value);
    }

    [Fact]
    public void Install_settings_land_with_defaults()
    {
        FleetLoadResult result = FleetLoader.Parse(Head + "    os: debian\n    kernel: k\n    initrd: i\n    install:\n      username: ops\n      passwordHash: env:NF_OPS_HASH\n      packages: tmux\n      phoneHome: false\n", "ok.yaml");

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        InstallSettings install = result.Fleet!.Profiles["p"].Install;
        Assert.Equal("ops", install.Username);
        Assert.Equal(new SecretReference("env", "NF_OPS_HASH"), install.PasswordHash);
        Assert.Equal(["tmux"], install.Packages);
        Assert.False(install.PhoneHome);
        Assert.Equal(("Etc/UTC", "en_US.UTF-8", "us", "lvm"), (install.Timezone, install.Locale, install.Keyboard, install.Storage));
        Assert.Null(install.Disk);
    }

    [Fact]
    public void A_profile_without_install_gets_the_defaults()
    {
        FleetLoadResult result = FleetLoader.Parse(Head + "    os: local\n", "ok.yaml");
        Assert.Same(InstallSettings.Default, result.Fleet!.Profiles["p"].Install);
    }
}
