using System.Diagnostics.CodeAnalysis;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Boot;

/// <summary>A fleet with one node per script kind, and a secret resolver that needs no files.</summary>
internal static class BootTestFleet
{
    /// <summary>A SHA-512 crypt of a throwaway test password; tests only need its shape.</summary>
    public const string Hash = "$6$nodefoundry$7m5ha0ns4kJx0Zq3tM0l8mQk4b6sF2e8Q0yQnV1r3p7bYwzEoQxS2xGZz3Pq1o1x9HqfQy0cL7m2kD8a5bC1e/";

    public const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LW9mLW5vZGVmb3VuZHJ5LWdvbGRlbg ops@test";

    public const string Yaml = """
        version: 1
        server:
          address: 192.0.2.1
        dhcp:
          scopes:
            - name: lab
              subnet: 192.0.2.0/24
              domainName: lab.example
              pxeRange: { start: 192.0.2.150, end: 192.0.2.199 }
        boot:
          chainTimeout: 45s
          attempts: 4
        profiles:
          ubuntu-24.04:
            os: ubuntu
            arch: x86_64
            kernel: ubuntu-24.04/casper/vmlinuz
            initrd: ubuntu-24.04/casper/initrd
            repo: ubuntu-24.04/ubuntu-24.04-live-server-amd64.iso
            serialConsole: ttyS0,115200n8
            install:
              username: ops
              passwordHash: env:NF_TEST_HASH
              sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LW9mLW5vZGVmb3VuZHJ5LWdvbGRlbg ops@test"]
              disk: /dev/nvme0n1
              packages: [curl, nvme-cli]
          rhel-9:
            os: rhel
            kernel: rhel-9/images/pxeboot/vmlinuz
            initrd: rhel-9/images/pxeboot/initrd.img
            repo: rhel-9/
            cmdline: inst.text
            serialConsole: ttyS1,115200n8
            install:
              username: ops
              passwordHash: env:NF_TEST_HASH
              sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LW9mLW5vZGVmb3VuZHJ5LWdvbGRlbg ops@test"]
              timezone: Europe/Berlin
              storage: direct
              disk: /dev/sda
              packages: [tmux]
          debian-12:
            os: debian
            kernel: debian-12/debian-installer/amd64/linux
            initrd: debian-12/debian-installer/amd64/initrd.gz
            repo: http://deb.debian.org/debian
            install:
              username: ops
              sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LW9mLW5vZGVmb3VuZHJ5LWdvbGRlbg ops@test"]
              locale: de_DE.UTF-8
              keyboard: de
          rescue:
            os: custom
            kernel: "{http}rescue/${buildarch}/vmlinuz"
            cmdline: "rdinit=/init quiet"
          menu:
            os: chain
            url: "{http}menu.ipxe?mac={mac}"
          iso:
            os: sanboot
            url: images/rescue.iso
          disk:
            os: local
        nodes:
          - { name: node01, mac: 52:54:00:00:00:01, uuid: 4c4c4544-0042-3610-8031-b4c04f4e3232, address: 192.0.2.11, profile: ubuntu-24.04 }
          - { name: node02, mac: 52:54:00:00:00:02, hostName: node02.rack1.lab.example, address: 192.0.2.12, profile: rhel-9 }
          - { name: node03, mac: 52:54:00:00:00:03, address: 192.0.2.13, profile: debian-12 }
          - { name: node04, mac: 52:54:00:00:00:04, profile: rescue }
          - { name: node05, mac: 52:54:00:00:00:05, profile: menu }
          - { name: node06, mac: 52:54:00:00:00:06, profile: iso }
          - { name: node07, mac: 52:54:00:00:00:07, profile: disk }
        """;

    public static FleetConfig Fleet { get; } = Load();

    public static BootRenderer Renderer(string? hash = Hash) => new(Fleet, new FakeSecrets(hash));

    public static FleetNode Node(string name) => Fleet.FindByName(name)!;

    private static FleetConfig Load()
    {
        FleetLoadResult result = FleetLoader.Parse(Yaml, "boot-test.yaml");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Fleet!;
    }

    internal sealed class FakeSecrets(string? value) : ISecretResolver
    {
        public List<SecretReference> Asked { get; } = [];

        public bool TryResolve(SecretReference reference, [NotNullWhen(true)] out string? resolved, [NotNullWhen(false)] out string? problem)
        {
            Asked.Add(reference);
            resolved = value;
            problem = value is null ? "the environment variable NF_TEST_HASH is not set" : null;
            return value is not null;
        }
    }
}
