using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>
/// Real Debian clients (busybox udhcpc, ISC dhclient) against `nodefoundry serve` of examples/lab.yaml,
/// across veths in test-owned namespaces: broadcast DISCOVER on the wire, answers on the wire.
/// </summary>
public sealed class RealClientTests : IClassFixture<DhcpLabFixture>
{
    private readonly DhcpLabFixture _fixture;

    public RealClientTests(DhcpLabFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public void Plain_os_client_gets_a_long_lease_from_the_normal_range()
    {
        var iface = _fixture.Lab.AddClient(TestMacs.Next());
        var got = Udhcpc.Lease(_fixture.Lab, iface);

        var scope = _fixture.Fleet.Config.Dhcp.Scopes[0];
        Assert.True(scope.Range!.Contains(IPAddress.Parse(got["ip"])), $"{got["ip"]} is not in the normal range");
        Assert.Equal(((int)scope.LeaseTime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), got["lease"]);
        Assert.Equal("", got.GetValueOrDefault("bootfile", ""));
    }

    [Fact]
    public void Unknown_pxe_client_gets_a_short_lease_from_the_pxe_range()
    {
        var iface = _fixture.Lab.AddClient(TestMacs.Next());
        var got = Udhcpc.Lease(_fixture.Lab, iface, arch: 0);

        var scope = _fixture.Fleet.Config.Dhcp.Scopes[0];
        Assert.True(scope.PxeRange!.Contains(IPAddress.Parse(got["ip"])), $"{got["ip"]} is not in the PXE range");
        Assert.Equal("300", got["lease"]); // the fleet's 5-minute bootstrap lease
    }

    [Fact]
    public void Known_node_gets_its_reservation_and_hostname()
    {
        var node = _fixture.Fleet.Config.Nodes[0];
        var iface = _fixture.Lab.AddClient(node.MacAddress);
        var got = Udhcpc.Lease(_fixture.Lab, iface, arch: 7);

        Assert.Equal(node.Address!.ToString(), got["ip"]);
        Assert.Equal(node.HostName, got["hostname"]);
    }

    public static TheoryData<ushort, bool> Firmware => new()
    {
        { 0, false }, { 0, true },
        { 7, false }, { 7, true },
        { 9, false }, { 9, true },
        { 11, false }, { 11, true },
        { 16, false }, { 16, true },
    };

    [Theory]
    [MemberData(nameof(Firmware))]
    public void Firmware_discover_gets_the_loader_next_server_and_vendor_class_the_fleet_prescribes(ushort arch, bool ipxe)
    {
        var mac = TestMacs.Next();
        var iface = _fixture.Lab.AddClient(mac);
        var got = Udhcpc.Lease(_fixture.Lab, iface, arch, ipxe);

        var fleet = _fixture.Fleet.Config;
        var kind = ClientArchitecture.ToFirmwareKind(arch);
        var http = FirmwareKindNames.IsHttpBoot(kind);
        var expectedFile = ipxe
            ? $"http://192.0.2.1/boot/{TestMacs.Colon(mac)}.ipxe"
            : http ? "http://192.0.2.1/ipxe.efi" : fleet.Boot.Loaders[kind];
        Assert.Equal(expectedFile, got["bootfile"]);  // the BOOTP file field, what PXE ROMs read
        Assert.Equal(expectedFile, got["boot_file"]); // option 67
        Assert.Equal("192.0.2.1", got["siaddr"]);
        Assert.Equal(http ? "HTTPClient" : "PXEClient", got.GetValueOrDefault("vendor", ""));

        // PXE firmware: option 43 discovery control 8 (boot this file, no discovery round); iPXE: option
        // 175 no-pxedhcp, which saves its 3 s ProxyDHCP wait. HTTP Boot firmware gets neither.
        Assert.Equal(http ? "" : "060108ff", got.GetValueOrDefault("opt43", ""));
        Assert.Equal(http ? "" : "b00101", got.GetValueOrDefault("opt175", ""));
    }

    [Fact]
    public void Example_fleet_maps_bios_and_both_efi_x64_codes_to_the_usual_loaders()
    {
        // The literal facts the table test above relies on, from the fleet file operators copy.
        var loaders = _fixture.Fleet.Config.Boot.Loaders;
        Assert.Equal("undionly.kpxe", loaders[FirmwareKind.Bios]);
        Assert.Equal("ipxe.efi", loaders[FirmwareKind.EfiX64]);
        Assert.Equal(FirmwareKind.EfiX64, ClientArchitecture.ToFirmwareKind(9));
    }

    [Fact]
    public void Isc_dhclient_obtains_a_lease()
    {
        var dhclient = Requirements.RequireTool("dhclient", "isc-dhcp-client");
        var mac = TestMacs.Next();
        var iface = _fixture.Lab.AddClient(mac);
        var dir = Directory.CreateTempSubdirectory("nf-dhclient-");
        try
        {
            var script = Path.Combine(dir.FullName, "script.sh");
            File.WriteAllText(script, "#!/bin/sh\necho \"NFEVENT $reason ip=$new_ip_address lease=$new_dhcp_lease_time server=$new_dhcp_server_identifier\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // -d keeps dhclient in the foreground (so the lab owns its PID); it stays to renew, so stop it once bound.
            using var client = _fixture.Lab.Start(
                _fixture.Lab.ClientNamespace, dhclient,
                "-1", "-v", "-d", "-sf", script, "-lf", Path.Combine(dir.FullName, "leases"), "-pf", Path.Combine(dir.FullName, "pid"), iface);
            Assert.True(client.WaitForOutput("NFEVENT BOUND", TimeSpan.FromSeconds(60)), $"dhclient got no lease: {client.StandardOutput}\n{client.StandardError}");
            var bound = client.StandardOutput.Split('\n').First(l => l.StartsWith("NFEVENT BOUND", StringComparison.Ordinal));
            var ip = IPAddress.Parse(bound.Split(' ')[2]["ip=".Length..]);
            Assert.True(_fixture.Fleet.Config.Dhcp.Scopes[0].Range!.Contains(ip), bound);
            Assert.Contains("server=192.0.2.1", bound, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static PhysicalAddress Mac(string text) => PhysicalAddress.Parse(text.Replace(':', '-'));
}
