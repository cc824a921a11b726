using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.BootPath;

/// <summary>How a <see cref="DnsmasqBootServer"/> is set up; each switch turned off is one misconfiguration from the seed's failure modes.</summary>
internal sealed record DnsmasqBootConfig
{
    /// <summary>The seed's <c>dhcp-userclass=set:ipxe,iPXE</c> gate: iPXE gets the script URL, not the loader again.</summary>
    public bool IpxeLoopBreak { get; init; } = true;

    /// <summary>The script's NoCloud seed URL ends with '/'.</summary>
    public bool SeedSlash { get; init; } = true;

    /// <summary>user-data exists in the seed directory.</summary>
    public bool UserData { get; init; } = true;
}

/// <summary>
/// A PXE boot server built from Debian's own peers, configured the seed reference's way: dnsmasq 2.90 as DHCP
/// (dhcp-match on client-arch, dhcp-userclass iPXE, dhcp-boot per tag, HTTPClient for arch 16) and TFTP
/// (enable-tftp, a temporary tftp-root with the loaders), and busybox httpd serving the iPXE script, kernel,
/// initrd and NoCloud seed on 192.0.2.1:8080. Nothing of NodeFoundry runs: the tester must judge any server.
/// </summary>
internal sealed class DnsmasqBootServer : IDisposable
{
    public const string HttpBase = "http://192.0.2.1:8080/";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nfbp-dnsmasq-");

    public DnsmasqBootServer(BootPathNetwork network, PhysicalAddress mac, DnsmasqBootConfig? config = null)
    {
        config ??= new DnsmasqBootConfig();
        var dnsmasq = Requirements.RequireTool("dnsmasq", "dnsmasq-base");
        var busybox = Requirements.RequireTool("busybox", "busybox");
        var tftp = Directory.CreateDirectory(Path.Combine(_root.FullName, "tftp")).FullName;
        var http = Directory.CreateDirectory(Path.Combine(_root.FullName, "http")).FullName;
        foreach (var loader in new[] { "undionly.kpxe", "ipxe.efi", "ipxe-arm64.efi" })
        {
            File.WriteAllBytes(Path.Combine(tftp, loader), StandIn(loader));
        }

        File.WriteAllBytes(Path.Combine(http, "ipxe.efi"), StandIn("ipxe.efi"));
        Directory.CreateDirectory(Path.Combine(http, "ubuntu"));
        File.WriteAllBytes(Path.Combine(http, "ubuntu", "vmlinuz"), StandIn("vmlinuz"));
        File.WriteAllBytes(Path.Combine(http, "ubuntu", "initrd"), StandIn("initrd"));
        // The seed reference's boot.ipxe: one script for every node, the seed directory by iPXE's ${mac}.
        File.WriteAllText(Path.Combine(http, "boot.ipxe"), $"""
            #!ipxe
            kernel {HttpBase}ubuntu/vmlinuz ip=dhcp autoinstall ds=nocloud-net;s={HttpBase}nocloud/${"{"}mac{"}"}{(config.SeedSlash ? "/" : string.Empty)}
            initrd {HttpBase}ubuntu/initrd
            boot

            """);
        var seed = Directory.CreateDirectory(Path.Combine(http, "nocloud", TestMacs.Colon(mac))).FullName;
        if (config.UserData)
        {
            File.WriteAllText(Path.Combine(seed, "user-data"), "#cloud-config\nautoinstall:\n  version: 1\n");
        }

        File.WriteAllText(Path.Combine(seed, "meta-data"), "instance-id: nfbp-lab\n");

        var conf = Path.Combine(_root.FullName, "dnsmasq.conf");
        File.WriteAllText(conf, Config(BootPathNetwork.Bridge, "192.0.2.150,192.0.2.199", config, tftp));
        Dnsmasq = network.Start(network.ServerNamespace, dnsmasq, "--keep-in-foreground", "--log-facility=-", "-C", conf);
        Http = network.Start(network.ServerNamespace, busybox, "httpd", "-f", "-p", "192.0.2.1:8080", "-h", http);
        WaitStarted(Dnsmasq, "dnsmasq");
        WaitStarted(Http, "busybox httpd");
    }

    public LabProcess Dnsmasq { get; }

    public LabProcess Http { get; }

    /// <summary>The seed's dnsmasq configuration (port=0: no DNS), for the interface, range and switches given.</summary>
    public static string Config(string iface, string range, DnsmasqBootConfig config, string? tftpRoot)
    {
        var text = new StringBuilder($"""
            port=0
            interface={iface}
            bind-interfaces
            no-ping
            user=root
            log-dhcp
            dhcp-leasefile=/dev/null
            dhcp-range={range},5m
            dhcp-match=set:bios,option:client-arch,0
            dhcp-match=set:efi-x64,option:client-arch,7
            dhcp-match=set:efi-x64,option:client-arch,9
            dhcp-match=set:efi-arm64,option:client-arch,11
            dhcp-match=set:efi-x64-http,option:client-arch,16
            dhcp-option-force=tag:efi-x64-http,60,HTTPClient
            dhcp-boot=tag:!ipxe,tag:bios,undionly.kpxe,,192.0.2.1
            dhcp-boot=tag:!ipxe,tag:efi-x64,ipxe.efi,,192.0.2.1
            dhcp-boot=tag:!ipxe,tag:efi-arm64,ipxe-arm64.efi,,192.0.2.1
            dhcp-boot=tag:!ipxe,tag:efi-x64-http,{HttpBase}ipxe.efi,,192.0.2.1

            """);
        if (config.IpxeLoopBreak)
        {
            text.Append($"""
                dhcp-userclass=set:ipxe,iPXE
                dhcp-boot=tag:ipxe,{HttpBase}boot.ipxe,,192.0.2.1

                """);
        }

        if (tftpRoot is not null)
        {
            text.Append($"enable-tftp\ntftp-root={tftpRoot}\n");
        }

        return text.ToString();
    }

    /// <summary>Waits (bounded) until the process is up: still running after a short settle, or fails with its output.</summary>
    public static void WaitStarted(LabProcess process, string what)
    {
        for (var i = 0; i < 10 && !process.HasExited; i++)
        {
            Thread.Sleep(100);
        }

        if (process.HasExited)
        {
            throw new InvalidOperationException($"{what} exited: {process.StandardError}{process.StandardOutput}");
        }
    }

    private static byte[] StandIn(string name)
    {
        var bytes = new byte[5000];
        Encoding.ASCII.GetBytes($"stand-in for {name}\n").CopyTo(bytes, 0);
        return bytes;
    }

    public void Dispose()
    {
        Dnsmasq.Dispose();
        Http.Dispose();
        _root.Delete(recursive: true);
    }
}
