using System.Globalization;
using System.Text;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>A node the e2e fleet file declares: fixed MAC (52:54:00:e2:…), reservation, the firmware its VM uses.</summary>
public sealed record E2ENode(string Name, string MacAddress, string Address, VmFirmware Firmware);

/// <summary>
/// A temp folder holding an e2e fleet file and its roots: TFTP serves Debian's iPXE builds (<c>undionly.kpxe</c>,
/// <c>snponly.efi</c>), HTTP serves <c>ipxe.efi</c> (UEFI HTTP Boot's loader), the test kernel and initramfs. Every node
/// boots the <c>custom</c> profile <c>e2e-guest</c> whose kernel line tells /init where to phone home.
/// </summary>
public sealed class E2EFleet : IDisposable
{
    public const string IpxeDirectory = "/usr/lib/ipxe";

    public E2EFleet(GuestImage image, IReadOnlyList<E2ENode> nodes)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = nodes;
        Directory = System.IO.Directory.CreateTempSubdirectory("nf-e2e-");
        try
        {
            var tftp = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory.FullName, "tftp")).FullName;
            var http = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory.FullName, "http")).FullName;
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(http, "e2e"));
            foreach (var loader in new[] { "undionly.kpxe", "snponly.efi", "ipxe.efi" })
            {
                var source = System.IO.Path.Combine(IpxeDirectory, loader);
                if (!File.Exists(source))
                {
                    throw new InvalidOperationException($"{source} is missing. `.ci/run` installs it; by hand: apt-get install -y ipxe");
                }

                // Copies, not symlinks: the TFTP server refuses links that point out of its root.
                File.Copy(source, System.IO.Path.Combine(tftp, loader));
            }

            File.Copy(System.IO.Path.Combine(IpxeDirectory, "ipxe.efi"), System.IO.Path.Combine(http, "ipxe.efi"));
            File.Copy(image.KernelPath, System.IO.Path.Combine(http, "e2e", "vmlinuz"));
            File.WriteAllBytes(System.IO.Path.Combine(http, "e2e", "initrd.img"), image.Initramfs);
            Path = System.IO.Path.Combine(Directory.FullName, "fleet.yaml");
            File.WriteAllText(Path, Yaml(nodes));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public DirectoryInfo Directory { get; }

    public string Path { get; } = string.Empty;

    public IReadOnlyList<E2ENode> Nodes { get; }

    /// <summary>A folder for VM files (serial logs, pidfiles, monitor sockets, OVMF variable stores).</summary>
    public string VmDirectory => System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory.FullName, "vm")).FullName;

    public static string HttpBaseUrl => $"http://{E2ENetwork.ServerAddress}/";

    public static string Yaml(IEnumerable<E2ENode> nodes)
    {
        var text = new StringBuilder($$"""
            # NodeFoundry e2e fleet: QEMU VMs on a test-owned bridge boot the test kernel and phone home.
            version: 1

            server:
              address: {{E2ENetwork.ServerAddress}}
              interface: nfbr0
              tftpPort: 69
              httpPort: 80
              tftpRoot: tftp
              httpRoot: http
              stateDirectory: state

            dhcp:
              mode: authoritative
              port: 67
              nonPxeClients: normal-range
              answerUnknownPxeClients: true
              scopes:
                - name: e2e
                  subnet: 192.0.2.0/24
                  router: {{E2ENetwork.ServerAddress}}
                  range:
                    start: 192.0.2.100
                    end: 192.0.2.149
                  leaseTime: 1h
                  pxeRange:
                    start: 192.0.2.150
                    end: 192.0.2.199
                  pxeLeaseTime: 5m

            boot:
              loaders:
                bios: undionly.kpxe
                efi-x64: snponly.efi
                efi-x64-http: "{http}ipxe.efi"
              ipxeScriptUrl: "{http}boot/{mac}.ipxe"
              chainTimeout: 60s
              attempts: 3

            profiles:
              e2e-guest:
                os: custom
                arch: x86_64
                kernel: e2e/vmlinuz
                initrd: e2e/initrd.img
                cmdline: "panic=5 {{GuestImage.PhoneHomeArgument(HttpBaseUrl)}}"
                serialConsole: ttyS0,115200n8

            nodes:

            """);
        foreach (var node in nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"""
                  - name: {node.Name}
                    mac: {node.MacAddress}
                    address: {node.Address}
                    profile: e2e-guest

                """);
        }

        return text.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a server being killed may hold the journal a moment longer; the temp folder is reaped later
        }
    }
}
