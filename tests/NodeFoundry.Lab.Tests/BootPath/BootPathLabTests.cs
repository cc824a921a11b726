using System.Net.NetworkInformation;
using NodeFoundry.BootPath;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.BootPath;

/// <summary>
/// The boot path tester on a real segment: broadcast from a console namespace (SO_BINDTODEVICE, port 68) to a
/// real dnsmasq + busybox httpd boot server configured the seed reference's way, to the same server broken on
/// purpose, and to two DHCP servers (NodeFoundry and dnsmasq) answering on one segment.
/// </summary>
public sealed class BootPathLabTests
{
    private static string Report(IEnumerable<BootPathCheck> checks) => string.Join("\n", checks);

    [Fact]
    public async Task Every_check_passes_against_dnsmasq_configured_as_the_seed_reference_says()
    {
        using var network = new BootPathNetwork();
        var mac = TestMacs.Next();
        using var server = new DnsmasqBootServer(network, mac);

        var checks = await new BootPathTester(network.ConsoleOptions() with { MacAddress = mac }).RunAsync();

        Assert.True(checks.All(c => c.Passed), Report(checks) + "\n" + server.Dnsmasq.StandardError);
        Assert.Equal("one DHCP server: 192.0.2.1", checks.Single(c => c.Target == "DHCP servers").Detail);
        Assert.Equal(
            ["tftp://192.0.2.1/ipxe-arm64.efi", "tftp://192.0.2.1/ipxe.efi", "tftp://192.0.2.1/undionly.kpxe"],
            checks.Where(c => c.Stage == BootPathStage.Tftp).Select(c => c.Target).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["NBP http://192.0.2.1:8080/ipxe.efi", "script http://192.0.2.1:8080/boot.ipxe", "kernel http://192.0.2.1:8080/ubuntu/vmlinuz", "initrd http://192.0.2.1:8080/ubuntu/initrd"],
            checks.Where(c => c.Stage == BootPathStage.Http).Select(c => c.Target));
        Assert.Equal(["NoCloud seed (s=)", "NoCloud user-data", "NoCloud meta-data"], checks.Where(c => c.Stage == BootPathStage.AnswerFile).Select(c => c.Target));
    }

    [Fact]
    public async Task Dnsmasq_without_the_iPXE_user_class_gate_misses_the_iPXE_loop_break()
    {
        using var network = new BootPathNetwork();
        var mac = TestMacs.Next();
        using var server = new DnsmasqBootServer(network, mac, new DnsmasqBootConfig { IpxeLoopBreak = false });

        var checks = await new BootPathTester(network.ConsoleOptions() with { MacAddress = mac, Architectures = [0, 7] }).RunAsync();

        foreach (var (target, loader) in new[] { ("iPXE arch 0 (bios)", "undionly.kpxe"), ("iPXE arch 7 (efi-x64)", "ipxe.efi") })
        {
            var check = checks.Single(c => c.Target == target);
            Assert.True(check.Cause == BootPathCause.MissingIpxeLoopBreak, Report(checks));
            Assert.StartsWith($"missing iPXE loop break: iPXE (user class iPXE, option 175) was handed the loader '{loader}' again", check.Detail, StringComparison.Ordinal);
        }

        // Bare firmware is still served right: only the loop break is missing.
        Assert.True(checks.Where(c => !c.Target.StartsWith("iPXE", StringComparison.Ordinal)).All(c => c.Passed), Report(checks));
    }

    [Fact]
    public async Task A_seed_URL_without_its_slash_and_a_missing_user_data_are_caught_on_a_real_HTTP_server()
    {
        using var network = new BootPathNetwork();
        var mac = TestMacs.Next();
        using (new DnsmasqBootServer(network, mac, new DnsmasqBootConfig { SeedSlash = false }))
        {
            var checks = await new BootPathTester(network.ConsoleOptions() with { MacAddress = mac, Architectures = [0] }).RunAsync();
            var seed = checks.Single(c => c.Target == "NoCloud seed (s=)");
            Assert.True(seed.Cause == BootPathCause.SeedUrlNoTrailingSlash, Report(checks));
            Assert.Contains($"/nocloud/{TestMacs.Colon(mac)}'", seed.Detail, StringComparison.Ordinal);
        }

        using (new DnsmasqBootServer(network, mac, new DnsmasqBootConfig { UserData = false }))
        {
            var checks = await new BootPathTester(network.ConsoleOptions() with { MacAddress = mac, Architectures = [0] }).RunAsync();
            var userData = checks.Single(c => c.Target == "NoCloud user-data");
            Assert.True(userData.Cause == BootPathCause.UserDataNotFound, Report(checks));
            Assert.StartsWith($"404 on user-data: {DnsmasqBootServer.HttpBase}nocloud/{TestMacs.Colon(mac)}/user-data: 404", userData.Detail, StringComparison.Ordinal);
            Assert.True(checks.Single(c => c.Target == "NoCloud meta-data").Passed, Report(checks));
        }
    }

    [Fact]
    public async Task NodeFoundry_and_dnsmasq_on_one_segment_are_more_than_one_DHCP_server_with_both_identifiers()
    {
        var dnsmasq = Requirements.RequireTool("dnsmasq", "dnsmasq-base");
        using var network = new BootPathNetwork();
        using var fleet = new LabFleet();
        var nodeFoundry = network.Start(network.ServerNamespace, "dotnet", NodeFoundryProcess.HostDll, "serve", "--config", fleet.Path);
        Assert.True(nodeFoundry.WaitForOutput("nodefoundry: serving", TimeSpan.FromSeconds(60)), $"nodefoundry serve did not start: {nodeFoundry.StandardError}");
        var conf = Path.Combine(fleet.Directory.FullName, "dnsmasq-peer.conf");
        File.WriteAllText(conf, DnsmasqBootServer.Config(BootPathNetwork.PeerInterface, "192.0.2.100,192.0.2.149", new DnsmasqBootConfig(), tftpRoot: null));
        var peer = network.Start(network.PeerNamespace, dnsmasq, "--keep-in-foreground", "--log-facility=-", "-C", conf);
        DnsmasqBootServer.WaitStarted(peer, "dnsmasq");

        var mac = PhysicalAddress.Parse("52-54-00-00-00-01"); // node01 of the lab fleet
        var checks = await new BootPathTester(network.ConsoleOptions() with
        {
            MacAddress = mac,
            Architectures = [0],
            Expect = BootPathExpectations.FromFleet(fleet.Config, mac),
        }).RunAsync();

        var servers = checks.Single(c => c.Target == "DHCP servers");
        Assert.True(servers.Cause == BootPathCause.MoreThanOneDhcpServer, Report(checks) + "\n" + peer.StandardError);
        Assert.StartsWith("more than one DHCP server: 2 servers offered addresses, server identifiers (option 54) ", servers.Detail, StringComparison.Ordinal);
        Assert.Contains(BootPathNetwork.ServerAddress, servers.Detail, StringComparison.Ordinal);
        Assert.Contains(BootPathNetwork.PeerAddress, servers.Detail, StringComparison.Ordinal);
        // The fleet's own server (192.0.2.1) is the one judged for the firmware: its answer is right.
        Assert.True(checks.Single(c => c.Target == "arch 0 (bios)").Passed, Report(checks));
    }
}
