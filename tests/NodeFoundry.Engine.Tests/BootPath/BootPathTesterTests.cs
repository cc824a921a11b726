using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.BootPath;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Hosting;

namespace NodeFoundry.Tests.BootPath;

/// <summary>
/// The boot path tester against a live NodeFoundry boot stack on loopback (relay style, like the demo):
/// everything passes on the example lab, and each deliberately broken configuration is caught with the
/// seed reference's cause.
/// </summary>
public sealed class BootPathTesterTests
{
    private static string Report(IEnumerable<BootPathCheck> checks) => string.Join("\n", checks);

    [Theory]
    [InlineData(0, "nocloud")] // node01, ubuntu: NoCloud user-data and meta-data
    [InlineData(1, "kickstart")] // node02, rhel: inst.ks=
    [InlineData(2, "preseed")] // node03, debian: url= with auto=true priority=critical
    public async Task Every_check_passes_against_the_example_lab(int nodeIndex, string answerFile)
    {
        await using var lab = await LoopbackBootLab.StartAsync();
        var node = lab.Fleet.Nodes[nodeIndex];
        var checks = await new BootPathTester(lab.Options(node.MacAddress)).RunAsync();

        Assert.True(checks.All(c => c.Passed), Report(checks));
        // The whole order was walked: one server, 5 firmware + 4 iPXE probes, TFTP per distinct NBP, the HTTP Boot NBP, script, kernel, initrd, answer file(s).
        Assert.Equal("one DHCP server: 127.0.0.1", checks.Single(c => c.Target == "DHCP servers").Detail);
        Assert.Equal(9, checks.Count(c => c.Stage == BootPathStage.Dhcp && c.Target.Contains("arch", StringComparison.Ordinal)));
        Assert.Equal(["tftp://127.0.0.1/ipxe-arm64.efi", "tftp://127.0.0.1/ipxe.efi", "tftp://127.0.0.1/undionly.kpxe"], checks.Where(c => c.Stage == BootPathStage.Tftp).Select(c => c.Target).Order(StringComparer.Ordinal));
        Assert.True(checks.Any(c => c.Stage == BootPathStage.Http && c.Target == $"NBP {lab.Fleet.Boot.HttpBaseUrl}ipxe.efi"), Report(checks));
        Assert.True(checks.Any(c => c.Stage == BootPathStage.Http && c.Target.StartsWith("script ", StringComparison.Ordinal)), Report(checks));
        Assert.True(checks.Any(c => c.Stage == BootPathStage.Http && c.Target.StartsWith("kernel ", StringComparison.Ordinal)), Report(checks));
        Assert.True(checks.Any(c => c.Stage == BootPathStage.Http && c.Target.StartsWith("initrd ", StringComparison.Ordinal)), Report(checks));
        var answers = checks.Where(c => c.Stage == BootPathStage.AnswerFile).Select(c => c.Target).ToList();
        Assert.Equal(
            answerFile switch
            {
                "nocloud" => ["NoCloud seed (s=)", "NoCloud user-data", "NoCloud meta-data"],
                "kickstart" => ["kickstart (inst.ks=)"],
                _ => ["preseed (url=)", "preseed (auto)"],
            },
            answers);
    }

    [Fact]
    public async Task The_checks_that_need_no_fleet_file_pass_against_the_example_lab_too()
    {
        await using var lab = await LoopbackBootLab.StartAsync();
        var checks = await new BootPathTester(lab.Options(lab.Fleet.Nodes[0].MacAddress, expect: false)).RunAsync();
        Assert.True(checks.All(c => c.Passed), Report(checks));
        Assert.True(checks.Any(c => c.Stage == BootPathStage.AnswerFile), Report(checks));
    }

    [Fact]
    public async Task A_BIOS_loader_for_arch_7_is_the_wrong_NBP_for_the_firmware_with_or_without_the_fleet_file()
    {
        await using var lab = await LoopbackBootLab.StartAsync(yaml => yaml.Replace("efi-x64: ipxe.efi", "efi-x64: undionly.kpxe", StringComparison.Ordinal));
        var mac = lab.Fleet.Nodes[0].MacAddress;
        var intended = BootPathExpectations.FromFleet(lab.Fleet, mac);
        intended = intended with { Loaders = new Dictionary<FirmwareKind, string>(intended.Loaders) { [FirmwareKind.EfiX64] = "ipxe.efi" } };

        foreach (var options in new[] { lab.Options(mac) with { Expect = intended }, lab.Options(mac, expect: false) })
        {
            var checks = await new BootPathTester(options with { Architectures = [0, 7, 9] }).RunAsync();
            foreach (var target in new[] { "arch 7 (efi-x64)", "arch 9 (efi-x64)" })
            {
                var check = checks.Single(c => c.Target == target);
                Assert.Equal(BootPathCause.WrongNbpForFirmware, check.Cause);
                Assert.StartsWith("wrong NBP for the firmware: ", check.Detail, StringComparison.Ordinal);
                Assert.Contains("undionly.kpxe", check.Detail, StringComparison.Ordinal);
            }

            Assert.True(checks.Single(c => c.Target == "arch 0 (bios)").Passed, Report(checks));
        }
    }

    [Fact]
    public async Task A_loader_missing_from_the_TFTP_root_is_file_not_found_in_the_TFTP_root()
    {
        await using var lab = await LoopbackBootLab.StartAsync();
        File.Delete(Path.Combine(lab.Lab.TftpRoot, "ipxe.efi"));
        var checks = await new BootPathTester(lab.Options(lab.Fleet.Nodes[0].MacAddress) with { Architectures = [0, 7] }).RunAsync();

        var missing = checks.Single(c => c.Target == "tftp://127.0.0.1/ipxe.efi");
        Assert.Equal(BootPathCause.TftpFileNotFound, missing.Cause);
        Assert.StartsWith("file not found in the TFTP root: 'ipxe.efi' offered to arch 7 (efi-x64)", missing.Detail, StringComparison.Ordinal);
        Assert.True(checks.Single(c => c.Target == "tftp://127.0.0.1/undionly.kpxe").Passed, Report(checks));
    }

    [Fact]
    public async Task A_wrong_hash_for_an_NBP_is_reported()
    {
        await using var lab = await LoopbackBootLab.StartAsync();
        var options = lab.Options(lab.Fleet.Nodes[0].MacAddress) with { Architectures = [0] };
        options = options with { Expect = options.Expect! with { NbpSha256 = new Dictionary<string, string> { ["undionly.kpxe"] = new string('0', 64) } } };
        var checks = await new BootPathTester(options).RunAsync();
        Assert.Equal(BootPathCause.NbpMismatch, checks.Single(c => c.Target == "tftp://127.0.0.1/undionly.kpxe").Cause);
    }

    [Fact]
    public async Task A_404_on_user_data_is_reported_and_a_script_the_server_cannot_render_too()
    {
        await using var lab = await LoopbackBootLab.StartAsync(yaml => yaml
            .Replace("profile: ubuntu-24.04", "profile: missing-seed", StringComparison.Ordinal)
            .Replace("profile: rhel-9", "profile: unslashed-seed", StringComparison.Ordinal)
            .Replace("profiles:\n", $"""
                profiles:
                  missing-seed:
                    os: custom
                    kernel: ubuntu-24.04/casper/vmlinuz
                    initrd: ubuntu-24.04/casper/initrd
                    cmdline: "autoinstall ds=nocloud-net;s={BaseUrl(yaml)}seeds/nobody/"
                  unslashed-seed:
                    os: custom
                    kernel: ubuntu-24.04/casper/vmlinuz
                    initrd: ubuntu-24.04/casper/initrd
                    cmdline: "autoinstall ds=nocloud-net;s={BaseUrl(yaml)}nocloud/52:54:00:00:00:02"

                """, StringComparison.Ordinal));

        var missing = await new BootPathTester(lab.Options(lab.Fleet.Nodes[0].MacAddress) with { Architectures = [0] }).RunAsync();
        var userData = missing.Single(c => c.Target == "NoCloud user-data");
        Assert.Equal(BootPathCause.UserDataNotFound, userData.Cause);
        Assert.StartsWith("404 on user-data: ", userData.Detail, StringComparison.Ordinal);
        Assert.Equal(BootPathCause.MetaDataNotFound, missing.Single(c => c.Target == "NoCloud meta-data").Cause);

        // NodeFoundry's own lint refuses to render a seed URL without its slash (500); the tester reports the script.
        // AnswerFileChecksTests covers the slash against a server that serves such a script.
        var unslashed = await new BootPathTester(lab.Options(lab.Fleet.Nodes[1].MacAddress) with { Architectures = [0] }).RunAsync();
        var script = unslashed.Single(c => c.Target.StartsWith("script ", StringComparison.Ordinal));
        Assert.Equal(BootPathCause.HttpError, script.Cause);
        Assert.Contains(": 500", script.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_DHCP_server_answering_is_more_than_one_DHCP_server_with_both_identifiers()
    {
        await using var lab = await LoopbackBootLab.StartAsync();
        var second = IPAddress.Parse("127.0.0.2");
        await using var rogue = await LoopbackBootLab.StartAsync(
            yaml => yaml.Replace("address: 127.0.0.1 ", "address: 127.0.0.2 ", StringComparison.Ordinal),
            relayPort: lab.RelayPort,
            engines: BootStackEngines.Dhcp,
            listen: second);
        var checks = await new BootPathTester(lab.Options(lab.Fleet.Nodes[0].MacAddress, true, rogue.DhcpEndPoint) with { Architectures = [0] }).RunAsync();

        var servers = checks.Single(c => c.Target == "DHCP servers");
        Assert.Equal(BootPathCause.MoreThanOneDhcpServer, servers.Cause);
        Assert.StartsWith("more than one DHCP server: 2 servers offered addresses", servers.Detail, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", servers.Detail, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", servers.Detail, StringComparison.Ordinal);
        // The fleet's own server is still the one judged for the firmware's answer.
        Assert.True(checks.Single(c => c.Target == "arch 0 (bios)").Passed, Report(checks));
    }

    [Fact]
    public async Task A_server_that_hands_iPXE_its_loader_again_misses_the_iPXE_loop_break()
    {
        using var server = new ScriptedDhcpServer(IPAddress.Loopback, (request, offer) =>
        {
            // The seed's first-pass configuration with the dhcp-userclass gate missing.
            offer.ServerAddress = IPAddress.Loopback;
            offer.BootFileName = request.ClientArchitectures is [0] ? "undionly.kpxe" : "ipxe.efi";
        });
        var checks = await new BootPathTester(ScriptedOptions(server, [0, 7])).RunAsync();

        foreach (var target in new[] { "iPXE arch 0 (bios)", "iPXE arch 7 (efi-x64)" })
        {
            var check = checks.Single(c => c.Target == target);
            Assert.Equal(BootPathCause.MissingIpxeLoopBreak, check.Cause);
            Assert.StartsWith("missing iPXE loop break: ", check.Detail, StringComparison.Ordinal);
        }

        Assert.True(checks.Single(c => c.Target == "arch 7 (efi-x64)").Passed, Report(checks));
    }

    [Fact]
    public async Task A_UEFI_HTTP_Boot_offer_without_HTTPClient_in_option_60_is_reported()
    {
        using var server = new ScriptedDhcpServer(IPAddress.Loopback, (request, offer) =>
        {
            offer.ServerAddress = IPAddress.Loopback;
            offer.Options.SetString(DhcpOptionCode.BootFileName, request.IsIpxeUserClass ? "http://127.0.0.1:9/boot.ipxe" : "http://127.0.0.1:9/ipxe.efi");
            offer.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient");
        });
        var checks = await new BootPathTester(ScriptedOptions(server, [16])).RunAsync();

        var check = checks.Single(c => c.Target == "arch 16 (efi-x64-http)");
        Assert.Equal(BootPathCause.HttpClientNotEchoed, check.Cause);
        Assert.StartsWith("option 60 HTTPClient not echoed: option 60 is 'PXEClient'", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_answering_is_no_DHCP_offer_for_every_firmware()
    {
        var silent = new IPEndPoint(IPAddress.Loopback, LoopbackBootLab.FreeUdpPort());
        var checks = await new BootPathTester(new BootPathOptions
        {
            Servers = [silent],
            RelayAddress = IPAddress.Loopback,
            RelayPort = 0,
            Architectures = [0, 7],
            OfferWindow = TimeSpan.FromMilliseconds(300),
        }).RunAsync();

        Assert.All(checks, c => Assert.Equal(BootPathCause.NoDhcpOffer, c.Cause));
        Assert.Equal(5, checks.Count); // the servers check, 2 firmware, 2 iPXE
    }

    private static BootPathOptions ScriptedOptions(ScriptedDhcpServer server, ushort[] architectures) => new()
    {
        Servers = [server.EndPoint],
        RelayAddress = IPAddress.Loopback,
        RelayPort = 0,
        MacAddress = PhysicalAddress.Parse("02-4E-46-00-00-01"),
        Architectures = architectures,
        TftpPort = LoopbackBootLab.FreeUdpPort(), // nothing listens: the NBP fetch fails fast, these tests judge DHCP
        OfferWindow = TimeSpan.FromSeconds(2),
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The loopback fleet's HTTP base URL, read from its text (the port is chosen before the edit runs).</summary>
    private static string BaseUrl(string yaml)
    {
        var port = yaml.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("httpPort:", StringComparison.Ordinal))["httpPort:".Length..].Split('#')[0].Trim();
        return $"http://127.0.0.1:{port}/";
    }
}
