using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>
/// The same fleet served by dnsmasq 2.90 (configured the seed reference's way: dhcp-match on client-arch,
/// dhcp-userclass iPXE, dhcp-boot per tag) and by NodeFoundry: every firmware, with and without iPXE,
/// must get the same boot answer (file, next-server, option 60) from both.
/// </summary>
public sealed class DnsmasqSideBySideTests
{
    private static readonly (ushort Arch, bool Ipxe)[] Matrix =
        [(0, false), (0, true), (7, false), (7, true), (9, false), (9, true), (11, false), (11, true), (16, false), (16, true)];

    [Fact]
    public void Dnsmasq_and_NodeFoundry_give_the_same_boot_answers_for_every_firmware()
    {
        var dnsmasq = Requirements.RequireTool("dnsmasq", "dnsmasq-base");
        using var fleet = new LabFleet();
        var macs = Matrix.Select(_ => TestMacs.Next()).ToArray();

        var fromDnsmasq = new List<string>();
        using (var lab = new NetworkLab())
        {
            var conf = Path.Combine(fleet.Directory.FullName, "dnsmasq.conf");
            File.WriteAllText(conf, DnsmasqConfig(fleet.Config, lab.Bridge, macs, fleet.Directory.FullName));
            using var server = lab.Start(lab.ServerNamespace, dnsmasq, "--keep-in-foreground", "--log-facility=-", "-C", conf);
            Thread.Sleep(500);
            Assert.False(server.HasExited, $"dnsmasq exited: {server.StandardError}");
            fromDnsmasq.AddRange(Ask(lab, macs));
        }

        var fromNodeFoundry = new List<string>();
        using (var lab = new NetworkLab())
        {
            using var server = NodeFoundryProcess.Serve(lab, fleet.Path);
            fromNodeFoundry.AddRange(Ask(lab, macs));
        }

        Assert.Equal(fromDnsmasq, fromNodeFoundry);
    }

    private static IEnumerable<string> Ask(NetworkLab lab, PhysicalAddress[] macs)
    {
        for (var i = 0; i < Matrix.Length; i++)
        {
            var (arch, ipxe) = Matrix[i];
            var got = Udhcpc.Lease(lab, lab.AddClient(macs[i]), arch, ipxe);
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"arch {arch,2} ipxe {ipxe,-5}: file={EffectiveBootFile(got)} next-server={got.GetValueOrDefault("siaddr")} vendor={got.GetValueOrDefault("vendor", "")}");
        }
    }

    /// <summary>
    /// The boot file a client would use: dnsmasq moves it to option 67 for PXEClient requests (udhcpc's
    /// boot_file), NodeFoundry fills both the header field and option 67; either way the client boots it.
    /// </summary>
    private static string EffectiveBootFile(IReadOnlyDictionary<string, string> got) =>
        got.GetValueOrDefault("boot_file") is { Length: > 0 } option67 ? option67 : got.GetValueOrDefault("bootfile", "");

    /// <summary>The seed reference's dnsmasq configuration, written for the fleet's loaders and these MACs.</summary>
    private static string DnsmasqConfig(FleetConfig fleet, string iface, PhysicalAddress[] macs, string dir)
    {
        var server = fleet.Server.Address;
        var scope = fleet.Dhcp.Scopes[0];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"""
            port=0
            interface={iface}
            bind-interfaces
            no-ping
            user=root
            log-dhcp
            dhcp-leasefile={dir}/dnsmasq.leases
            dhcp-range={scope.PxeRange!.Start},{scope.PxeRange.End},5m
            dhcp-match=set:bios,option:client-arch,0
            dhcp-match=set:efi-x64,option:client-arch,7
            dhcp-match=set:efi-x64,option:client-arch,9
            dhcp-match=set:efi-arm64,option:client-arch,11
            dhcp-match=set:efi-x64-http,option:client-arch,16
            dhcp-userclass=set:ipxe,iPXE
            dhcp-vendorclass=set:pxe,PXEClient
            dhcp-option-force=tag:pxe,60,PXEClient
            dhcp-option-force=tag:efi-x64-http,60,HTTPClient
            dhcp-boot=tag:!ipxe,tag:bios,{fleet.Boot.Loaders[FirmwareKind.Bios]},,{server}
            dhcp-boot=tag:!ipxe,tag:efi-x64,{fleet.Boot.Loaders[FirmwareKind.EfiX64]},,{server}
            dhcp-boot=tag:!ipxe,tag:efi-arm64,{fleet.Boot.Loaders[FirmwareKind.EfiArm64]},,{server}
            dhcp-boot=tag:!ipxe,tag:efi-x64-http,{fleet.Boot.HttpBaseUrl}ipxe.efi,,{server}
            """);
        for (var i = 0; i < macs.Length; i++)
        {
            // iPXE's script is per MAC in NodeFoundry; dnsmasq needs a host tag per MAC to say the same.
            var mac = TestMacs.Colon(macs[i]);
            text.AppendLine(CultureInfo.InvariantCulture, $"dhcp-host={mac},set:h{i}");
            text.AppendLine(CultureInfo.InvariantCulture, $"dhcp-boot=tag:ipxe,tag:h{i},{fleet.Boot.HttpBaseUrl}boot/{mac}.ipxe,,{server}");
        }

        return text.ToString();
    }
}
