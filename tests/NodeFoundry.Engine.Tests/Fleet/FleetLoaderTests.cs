using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

public sealed class FleetLoaderTests
{
    private const string Minimal = """
        server:
          address: 192.0.2.1
        dhcp:
          scopes:
            - subnet: 192.0.2.0/24
              pxeRange: { start: 192.0.2.150, end: 192.0.2.199 }

        """;

    [Fact]
    public void A_minimal_file_gets_every_default()
    {
        string baseDir = Path.Combine(Path.GetTempPath(), "nf-fleet");
        FleetConfig fleet = Valid(Minimal, baseDir);

        Assert.Null(fleet.SourcePath);
        Assert.Null(fleet.Server.Interface);
        Assert.Equal(69, fleet.Server.TftpPort);
        Assert.Equal(80, fleet.Server.HttpPort);
        Assert.Equal(Path.Combine(baseDir, "tftp"), fleet.Server.TftpRoot);
        Assert.Equal(Path.Combine(baseDir, "http"), fleet.Server.HttpRoot);
        Assert.Equal(Path.Combine(baseDir, "state"), fleet.Server.StateDirectory);

        Assert.Equal(DhcpMode.Authoritative, fleet.Dhcp.Mode);
        Assert.Equal(67, fleet.Dhcp.Port);
        Assert.Equal(NonPxeClientPolicy.NormalRange, fleet.Dhcp.NonPxeClients);
        Assert.True(fleet.Dhcp.AnswerUnknownPxeClients);
        Assert.Equal(TimeSpan.FromSeconds(30), fleet.Dhcp.OfferHold);
        Assert.Equal(20, fleet.Dhcp.MaxRequestsPerMacPerSecond);

        DhcpScope scope = Assert.Single(fleet.Dhcp.Scopes);
        Assert.Equal("192.0.2.0/24", scope.Name);
        Assert.Null(scope.Router);
        Assert.Empty(scope.DnsServers);
        Assert.Null(scope.DomainName);
        Assert.Null(scope.Range);
        Assert.Equal(TimeSpan.FromHours(12), scope.LeaseTime);
        Assert.Equal(TimeSpan.FromMinutes(5), scope.PxeLeaseTime);

        Assert.Equal(BootSettings.DefaultLoaders, fleet.Boot.Loaders);
        Assert.Equal("undionly.kpxe", fleet.Boot.Loaders[FirmwareKind.Bios]);
        Assert.Equal("ipxe.efi", fleet.Boot.Loaders[FirmwareKind.EfiX64]);
        Assert.Equal("ipxe-arm64.efi", fleet.Boot.Loaders[FirmwareKind.EfiArm64]);
        Assert.Equal("{http}ipxe.efi", fleet.Boot.Loaders[FirmwareKind.EfiX64Http]);
        Assert.All(fleet.Boot.Loaders, pair => Assert.Equal(FirmwareKindNames.IsHttpBoot(pair.Key), pair.Value.StartsWith("{http}", StringComparison.Ordinal)));
        Assert.Equal("http://192.0.2.1/", fleet.Boot.HttpBaseUrl);
        Assert.Equal("{http}boot/{mac}.ipxe", fleet.Boot.IpxeScriptUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), fleet.Boot.ChainTimeout);
        Assert.Empty(fleet.Profiles);
        Assert.Empty(fleet.Nodes);
    }

    [Fact]
    public void Http_base_url_carries_a_non_default_port_and_always_ends_with_a_slash()
    {
        Assert.Equal("http://192.0.2.1:8080/", Valid(Minimal.Replace("  address: 192.0.2.1\n", "  address: 192.0.2.1\n  httpPort: 8080\n", StringComparison.Ordinal)).Boot.HttpBaseUrl);
        Assert.Equal("http://boot.lab.example/nf/", Valid(Minimal + "boot:\n  httpBaseUrl: http://boot.lab.example/nf\n").Boot.HttpBaseUrl);
    }

    [Fact]
    public void Loaders_override_defaults_and_null_removes_one()
    {
        FleetConfig fleet = Valid(Minimal + """
            boot:
              loaders:
                efi-x64: snponly.efi
                efi-arm32: ~
                efi-arm64-http: http://192.0.2.1/arm/ipxe.efi
            """);
        Assert.Equal("snponly.efi", fleet.Boot.Loaders[FirmwareKind.EfiX64]);
        Assert.False(fleet.Boot.Loaders.ContainsKey(FirmwareKind.EfiArm32));
        Assert.Equal("http://192.0.2.1/arm/ipxe.efi", fleet.Boot.Loaders[FirmwareKind.EfiArm64Http]);
        Assert.Equal("undionly.kpxe", fleet.Boot.Loaders[FirmwareKind.Bios]);
    }

    [Fact]
    public void Node_fields_including_overrides_land()
    {
        FleetConfig fleet = Valid(Minimal + """
            profiles:
              custom-fw: { os: custom }
            nodes:
              - name: gpu_01
                hostName: gpu-01.lab.example
                mac: 525400ABCD01
                uuid: 4C4C4544-0042-3610-8031-B4C04F4E3232
                profile: CUSTOM-FW
                bmc: { address: gpu-01-bmc.lab.example, protocol: Redfish, port: 8443 }
                boot:
                  loader: flexboot/ipxe.efi
                  treatAsIpxe: true
                  scriptUrl: "{http}boot/{hostname}.ipxe?uuid={uuid}&ip={ip}&arch=${buildarch}"
            """);
        FleetNode node = Assert.Single(fleet.Nodes);
        Assert.Equal("gpu_01", node.Name);
        Assert.Equal("gpu-01.lab.example", node.HostName);
        Assert.Equal(PhysicalAddress.Parse("52-54-00-AB-CD-01"), node.MacAddress);
        Assert.Equal(Guid.Parse("4c4c4544-0042-3610-8031-b4c04f4e3232"), node.Uuid);
        Assert.Equal("custom-fw", node.Profile);
        Assert.Null(node.Address);
        Assert.Equal("gpu-01-bmc.lab.example", node.Bmc!.Address);
        Assert.Equal("redfish", node.Bmc.Protocol);
        Assert.Equal(8443, node.Bmc.Port);
        Assert.Null(node.Bmc.Credential);
        Assert.Equal("flexboot/ipxe.efi", node.Boot!.Loader);
        Assert.True(node.Boot.TreatAsIpxe);
        Assert.Equal("{http}boot/{hostname}.ipxe?uuid={uuid}&ip={ip}&arch=${buildarch}", node.Boot.ScriptUrl);
        Assert.Same(node, fleet.FindByMac(PhysicalAddress.Parse("525400abcd01")));
        Assert.Null(fleet.Profiles["custom-fw"].Kernel);
    }

    [Fact]
    public void Reports_every_error_at_once_in_file_order()
    {
        const string yaml = """
            server:
              address: 192.0.2.1
              tftpPort: sixty-nine
            dhcp:
              mode: authoritive
              scopes:
                - subnet: 192.0.2.0/24
                  range: { start: 192.0.2.100, end: 192.0.2.149 }
                  leaseTime: forever
            nodes:
              - name: node01
                mac: 52:54:00:00:00:01
                address: 192.0.2.120
              - name: node01
                mac: 52:54:00:00:00:01
                profile: ubuntu
              - nmae: node03
                mac: nope
            """;
        FleetLoadResult result = FleetLoader.Parse(yaml, "lab.yaml");

        Assert.False(result.IsValid);
        Assert.Null(result.Fleet);
        Assert.Equal(
            [
                "server.tftpPort", "dhcp.mode", "dhcp.scopes[0].leaseTime", "nodes[0].address", "nodes[1].name",
                "nodes[1].mac", "nodes[1].profile", "nodes[2].nmae", "nodes[2].name", "nodes[2].mac",
            ],
            result.Errors.Select(e => e.Field));
        Assert.Equal(result.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column), result.Errors);
        Assert.Contains("Did you mean 'name'?", result.Errors.Single(e => e.Field == "nodes[2].nmae").Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_yields_no_fleet_even_when_most_of_it_is_fine()
    {
        string yaml = File.ReadAllText(FleetTestFiles.LabExample)
            .Replace("mac: 52:54:00:00:00:03", "mac: 52:54:00:00:00:0x", StringComparison.Ordinal);
        FleetLoadResult result = FleetLoader.Parse(yaml, "lab.yaml");

        Assert.False(result.IsValid);
        Assert.Null(result.Fleet);
        FleetError error = Assert.Single(result.Errors);
        Assert.Equal("nodes[2].mac", error.Field);
        Assert.Equal("lab.yaml:101:10: nodes[2].mac: '52:54:00:00:00:0x' is not a MAC address. Fix: Write six hex pairs such as 52:54:00:00:00:01 (52-54-00-00-00-01 and 525400000001 also work).", error.ToString());
    }

    [Fact]
    public void LoadFileOrThrow_throws_with_every_error_one_per_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nf-fleet-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "server:\n  address: 192.0.2.300\ndhcp:\n  port: 0\n");
        try
        {
            FleetValidationException ex = Assert.Throws<FleetValidationException>(() => FleetLoader.LoadFileOrThrow(path));
            Assert.Equal(3, ex.Errors.Count);
            string[] lines = ex.Message.Split(Environment.NewLine);
            Assert.Equal(1 + ex.Errors.Count, lines.Length);
            Assert.Equal("The fleet file has 3 errors:", lines[0]);
            Assert.Equal(ex.Errors.Select(e => e.ToString()), lines.Skip(1));
            Assert.All(ex.Errors, e => Assert.Equal(path, e.File));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFileOrThrow_returns_the_fleet_for_a_valid_file() =>
        Assert.Equal(3, FleetLoader.LoadFileOrThrow(FleetTestFiles.LabExample).Nodes.Count);

    [Fact]
    public void A_missing_file_is_an_error_not_an_exception()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nf-missing-{Guid.NewGuid():N}.yaml");
        FleetLoadResult result = FleetLoader.LoadFile(path);
        Assert.Null(result.Fleet);
        FleetError error = Assert.Single(result.Errors);
        Assert.Contains("Cannot read", error.Message, StringComparison.Ordinal);
        Assert.Contains("examples/lab.yaml", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Proxy_mode_needs_no_scopes_and_no_ranges()
    {
        FleetConfig fleet = Valid("server: { address: 192.0.2.1 }\ndhcp: { mode: proxy, nonPxeClients: ignore }\nnodes:\n  - { name: node01, mac: 52:54:00:00:00:01 }\n");
        Assert.Equal(DhcpMode.Proxy, fleet.Dhcp.Mode);
        Assert.Equal(NonPxeClientPolicy.Ignore, fleet.Dhcp.NonPxeClients);
        Assert.Empty(fleet.Dhcp.Scopes);
    }

    [Fact]
    public void Authoritative_mode_needs_a_scope()
    {
        FleetError error = Assert.Single(FleetLoader.Parse("server: { address: 192.0.2.1 }\n").Errors);
        Assert.Equal("dhcp.scopes", error.Field);
        Assert.Contains("dhcp.mode: proxy", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_outside_every_scope_is_fine_when_scopes_are_relayed()
    {
        FleetConfig fleet = Valid("""
            server: { address: 192.0.2.1 }
            dhcp:
              scopes:
                - subnet: 198.51.100.0/24
                  router: 198.51.100.1
                  relayAgents: [198.51.100.1]
                  pxeRange: { start: 198.51.100.150, end: 198.51.100.199 }
            """);
        Assert.Equal([IPAddress.Parse("198.51.100.1")], fleet.Dhcp.Scopes[0].RelayAgents);
    }

    [Fact]
    public void Anchors_aliases_and_x_keys_work()
    {
        FleetConfig fleet = Valid(Minimal + """
            x-bmc: &bmc { protocol: ipmi, credential: lab-bmc, address: 192.0.2.21 }
            nodes:
              - { name: node01, mac: 52:54:00:00:00:01, bmc: *bmc }
            """);
        Assert.Equal("lab-bmc", fleet.Nodes[0].Bmc!.Credential);
    }

    [Fact]
    public void A_syntax_error_reports_its_mark_and_the_line()
    {
        FleetError error = Assert.Single(FleetLoader.Parse("server:\n  address: 192.0.2.1\n  cmdline: a: b\n", "s.yaml").Errors);
        Assert.Equal((3, 13), (error.Line, error.Column));
        Assert.Equal("cmdline: a: b", error.Value);
        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("quote values", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_one_document_is_an_error()
    {
        FleetError error = Assert.Single(FleetLoader.Parse(Minimal + "---\nnodes: []\n").Errors);
        Assert.Equal(8, error.Line);
        Assert.Contains("'---'", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, address: 192.0.2.1 }\n", "nodes[0].address", "server's own address")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, address: 192.0.2.255 }\n", "nodes[0].address", "broadcast")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, uuid: 4c4c4544-0042-3610-8031-b4c04f4e3232 }\n  - { name: n2, mac: 52:54:00:00:00:02, uuid: 4C4C4544-0042-3610-8031-B4C04F4E3232 }\n", "nodes[1].uuid", "already used")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, bmc: { address: 192.0.2.21 } }\n  - { name: n2, mac: 52:54:00:00:00:02, bmc: { address: 192.0.2.21 } }\n", "nodes[1].bmc.address", "wrong machine")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, hostName: web }\n  - { name: web, mac: 52:54:00:00:00:02 }\n", "nodes[1].name", "Host name 'web'")]
    [InlineData("nodes:\n  - { name: gpu_01, mac: 52:54:00:00:00:01 }\n", "nodes[0].name", "not a valid host name")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, boot: { scriptUrl: boot.ipxe } }\n", "nodes[0].boot.scriptUrl", "not a URL")]
    [InlineData("nodes:\n  - { name: n1, mac: 52:54:00:00:00:01, boot: { loader: ../../etc/shadow } }\n", "nodes[0].boot.loader", "leaves the TFTP root")]
    [InlineData("boot:\n  loaders: { bios: \"{http}undionly.kpxe\" }\n", "boot.loaders.bios", "over TFTP")]
    [InlineData("boot:\n  httpBaseUrl: ftp://192.0.2.1/\n", "boot.httpBaseUrl", "http://")]
    [InlineData("version: 2\n", "version", "version 1")]
    [InlineData("profiles:\n  u: { os: ubuntu, kernel: ../vmlinuz, initrd: i }\n", "profiles.u.kernel", "leaves the HTTP root")]
    [InlineData("profiles:\n  u: { os: custom, extra: { list: [1, 2] } }\n", "profiles.u.extra.list", "single value")]
    public void Cross_field_and_value_rules(string appended, string field, string messagePart)
    {
        FleetLoadResult result = FleetLoader.Parse(Minimal + appended);
        Assert.Null(result.Fleet);
        FleetError? error = result.Errors.FirstOrDefault(e => e.Field == field);
        Assert.True(error is not null, string.Join(Environment.NewLine, result.Errors));
        Assert.Contains(messagePart, error.Message + " " + error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("router: 198.51.100.1", "dhcp.scopes[0].router")]
    [InlineData("router: 192.0.2.160", "dhcp.scopes[0].router")]
    [InlineData("dnsServers: [192.0.2.1, nope]", "dhcp.scopes[0].dnsServers[1]")]
    [InlineData("domainName: -bad-.example", "dhcp.scopes[0].domainName")]
    [InlineData("subnet2: 192.0.2.0/24", "dhcp.scopes[0].subnet2")]
    public void Scope_rules(string line, string field)
    {
        FleetLoadResult result = FleetLoader.Parse(Minimal + "      " + line + "\n");
        Assert.Contains(result.Errors, e => e.Field == field);
    }

    [Fact]
    public void Server_address_inside_a_dynamic_range_is_an_error()
    {
        FleetLoadResult result = FleetLoader.Parse(Minimal.Replace("address: 192.0.2.1", "address: 192.0.2.160", StringComparison.Ordinal));
        FleetError error = Assert.Single(result.Errors);
        Assert.Equal("server.address", error.Field);
        Assert.Contains("could be leased", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_can_be_built_in_code_with_working_indexes()
    {
        var node = new FleetNode { Name = "n1", MacAddress = PhysicalAddress.Parse("525400000001") };
        var server = new ServerSettings { Address = IPAddress.Parse("192.0.2.1"), HttpPort = 8080 };
        var fleet = new FleetConfig
        {
            Server = server,
            Dhcp = new DhcpSettings(),
            Boot = BootSettings.ForServer(server),
            Nodes = [node],
            Profiles = new Dictionary<string, BootProfile> { ["U"] = new() { Name = "U", Os = "ubuntu" } },
        };
        Assert.Same(node, fleet.FindByMac(PhysicalAddress.Parse("52-54-00-00-00-01")));
        Assert.Same(node, fleet.FindByName("N1"));
        Assert.Equal("n1", node.HostName);
        Assert.Equal("http://192.0.2.1:8080/", fleet.Boot.HttpBaseUrl);
        Assert.NotNull(fleet.FindProfile("u"));
    }

    private static FleetConfig Valid(string yaml, string? baseDirectory = null)
    {
        FleetLoadResult result = FleetLoader.Parse(yaml, "test.yaml", baseDirectory);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Empty(result.Errors);
        return result.Fleet!;
    }
}
