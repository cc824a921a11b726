using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

public sealed class LabExampleTests
{
    private static readonly FleetConfig Lab = LoadLab();

    private static FleetConfig LoadLab()
    {
        FleetLoadResult result = FleetLoader.LoadFile(FleetTestFiles.LabExample);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Fleet!;
    }

    [Fact]
    public void Loads_without_errors()
    {
        FleetLoadResult result = FleetLoader.LoadFile(FleetTestFiles.LabExample);
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(Path.GetFullPath(FleetTestFiles.LabExample), result.Fleet!.SourcePath);
        Assert.Equal(1, result.Fleet.Version);
    }

    [Fact]
    public void Server_settings_land_and_folders_resolve_against_the_file()
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(FleetTestFiles.LabExample))!;
        ServerSettings server = Lab.Server;
        Assert.Equal(IPAddress.Parse("192.0.2.1"), server.Address);
        Assert.Equal("nfbr0", server.Interface);
        Assert.Equal(69, server.TftpPort);
        Assert.Equal(80, server.HttpPort);
        Assert.Equal(Path.Combine(folder, "tftp"), server.TftpRoot);
        Assert.Equal(Path.Combine(folder, "http"), server.HttpRoot);
        Assert.Equal(Path.Combine(folder, "state"), server.StateDirectory);
    }

    [Fact]
    public void Dhcp_settings_and_scope_land()
    {
        DhcpSettings dhcp = Lab.Dhcp;
        Assert.Equal(DhcpMode.Authoritative, dhcp.Mode);
        Assert.Equal(67, dhcp.Port);
        Assert.Equal(NonPxeClientPolicy.NormalRange, dhcp.NonPxeClients);
        Assert.True(dhcp.AnswerUnknownPxeClients);
        Assert.Equal(TimeSpan.FromSeconds(30), dhcp.OfferHold);
        Assert.Equal(20, dhcp.MaxRequestsPerMacPerSecond);

        DhcpScope scope = Assert.Single(dhcp.Scopes);
        Assert.Equal("lab", scope.Name);
        Assert.Equal(IPNetwork.Parse("192.0.2.0/24"), scope.Subnet);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), scope.SubnetMask);
        Assert.Equal(IPAddress.Parse("192.0.2.255"), scope.BroadcastAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), scope.Router);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], scope.DnsServers);
        Assert.Equal("lab.example", scope.DomainName);
        Assert.Equal(new AddressRange(IPAddress.Parse("192.0.2.100"), IPAddress.Parse("192.0.2.149")), scope.Range);
        Assert.Equal(50, scope.Range!.Count);
        Assert.Equal(TimeSpan.FromHours(12), scope.LeaseTime);
        Assert.Equal(new AddressRange(IPAddress.Parse("192.0.2.150"), IPAddress.Parse("192.0.2.199")), scope.PxeRange);
        Assert.Equal(TimeSpan.FromMinutes(5), scope.PxeLeaseTime);
        Assert.Empty(scope.RelayAgents);
    }

    [Fact]
    public void Boot_settings_land_with_defaults_for_unlisted_firmware()
    {
        BootSettings boot = Lab.Boot;
        Assert.Equal("undionly.kpxe", boot.Loaders[FirmwareKind.Bios]);
        Assert.Equal("ipxe.efi", boot.Loaders[FirmwareKind.EfiX64]);
        Assert.Equal("ipxe-arm64.efi", boot.Loaders[FirmwareKind.EfiArm64]);
        Assert.Equal("{http}ipxe.efi", boot.Loaders[FirmwareKind.EfiX64Http]);
        Assert.Equal(BootSettings.DefaultLoaders[FirmwareKind.EfiIa32], boot.Loaders[FirmwareKind.EfiIa32]);
        Assert.Equal(BootSettings.DefaultLoaders.Count, boot.Loaders.Count);
        Assert.Equal("http://192.0.2.1/", boot.HttpBaseUrl);
        Assert.Equal("{http}boot/{mac}.ipxe", boot.IpxeScriptUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), boot.ChainTimeout);
        Assert.Equal(3, boot.Attempts);
    }

    [Fact]
    public void Profiles_land_and_are_found_case_insensitively()
    {
        Assert.Equal(4, Lab.Profiles.Count);

        BootProfile ubuntu = Lab.Profiles["UBUNTU-24.04"];
        Assert.Equal("ubuntu-24.04", ubuntu.Name);
        Assert.Equal("ubuntu", ubuntu.Os);
        Assert.Equal("x86_64", ubuntu.Arch);
        Assert.Equal("ubuntu-24.04/casper/vmlinuz", ubuntu.Kernel);
        Assert.Equal("ubuntu-24.04/casper/initrd", ubuntu.Initrd);
        Assert.Equal("ip=dhcp", ubuntu.Cmdline);
        Assert.Equal("ttyS0,115200n8", ubuntu.SerialConsole);
        Assert.Equal("ubuntu-24.04/ubuntu-24.04-live-server-amd64.iso", ubuntu.Repo);
        Assert.Equal("ops", ubuntu.Install.Username);
        Assert.Equal(new SecretReference("file", "secrets/ops.hash"), ubuntu.Install.PasswordHash);
        Assert.Single(ubuntu.Install.SshAuthorizedKeys);
        Assert.Equal(["curl"], ubuntu.Install.Packages);
        Assert.Empty(ubuntu.Extra);

        BootProfile rhel = Lab.Profiles["rhel-9"];
        Assert.Equal("rhel", rhel.Os);
        Assert.Equal("rhel-9/images/pxeboot/vmlinuz", rhel.Kernel);
        Assert.Equal("rhel-9/images/pxeboot/initrd.img", rhel.Initrd);
        Assert.Equal("rhel-9/", rhel.Repo);
        Assert.Equal("Etc/UTC", rhel.Install.Timezone);

        BootProfile debian = Lab.Profiles["debian-12"];
        Assert.Equal("debian", debian.Os);
        Assert.Equal("debian-12/debian-installer/amd64/linux", debian.Kernel);
        Assert.Equal("debian-12/debian-installer/amd64/initrd.gz", debian.Initrd);
        Assert.Equal("us", debian.Install.Keyboard);
        Assert.Null(debian.Install.PasswordHash);
        Assert.Same(debian, Lab.FindProfile("Debian-12"));

        Assert.Equal("local", Lab.Profiles["local-disk"].Os);
    }

    [Theory]
    [InlineData(0, "node01", "52:54:00:00:00:01", "192.0.2.11", "ubuntu-24.04", "192.0.2.21", 88)]
    [InlineData(1, "node02", "52:54:00:00:00:02", "192.0.2.12", "rhel-9", "192.0.2.22", 94)]
    [InlineData(2, "node03", "52:54:00:00:00:03", "192.0.2.13", "debian-12", "192.0.2.23", 100)]
    public void Nodes_land(int index, string name, string mac, string address, string profile, string bmc, int line)
    {
        FleetNode node = Lab.Nodes[index];
        Assert.Equal(name, node.Name);
        Assert.Equal(name, node.HostName);
        Assert.Equal(PhysicalAddress.Parse(mac), node.MacAddress);
        Assert.Null(node.Uuid);
        Assert.Equal(IPAddress.Parse(address), node.Address);
        Assert.Equal(profile, node.Profile);
        Assert.Null(node.Boot);
        Assert.Equal(line, node.Line);
        Assert.Equal(Path.GetFullPath(FleetTestFiles.LabExample), node.SourcePath);
        Assert.NotNull(node.Bmc);
        Assert.Equal(bmc, node.Bmc.Address);
        Assert.Equal("ipmi", node.Bmc.Protocol);
        Assert.Null(node.Bmc.Port);
        Assert.Equal("lab-bmc", node.Bmc.Credential);

        Assert.Same(node, Lab.FindByMac(PhysicalAddress.Parse(mac)));
        Assert.Same(node, Lab.FindByName(name.ToUpperInvariant()));
    }

    [Fact]
    public void Lookups_miss_cleanly()
    {
        Assert.Null(Lab.FindByMac(PhysicalAddress.Parse("52-54-00-00-00-99")));
        Assert.Null(Lab.FindByName("node99"));
        Assert.Null(Lab.FindProfile(null));
    }

    [Fact]
    public void Only_documentation_addresses_appear_in_the_example()
    {
        string text = File.ReadAllText(FleetTestFiles.LabExample);
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text, @"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"))
        {
            Assert.StartsWith("192.0.2.", match.Value, StringComparison.Ordinal);
        }
    }
}
