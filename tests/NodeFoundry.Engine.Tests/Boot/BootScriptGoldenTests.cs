using System.Net.NetworkInformation;
using NodeFoundry.Boot;

namespace NodeFoundry.Tests.Boot;

/// <summary>Every script kind, rendered from the test fleet (or by hand), compared as a whole text with Boot/golden.</summary>
public sealed class BootScriptGoldenTests
{
    public static TheoryData<string, string, BootScriptKind> FleetCases => new()
    {
        { "node01", "ubuntu.ipxe", BootScriptKind.Ubuntu },
        { "node02", "rhel.ipxe", BootScriptKind.Rhel },
        { "node03", "debian.ipxe", BootScriptKind.Debian },
        { "node04", "custom.ipxe", BootScriptKind.Custom },
        { "node05", "chain.ipxe", BootScriptKind.Chain },
        { "node06", "sanboot.ipxe", BootScriptKind.Sanboot },
        { "node07", "exit-to-disk.ipxe", BootScriptKind.ExitToDisk },
    };

    [Theory]
    [MemberData(nameof(FleetCases))]
    public void A_fleet_node_renders_its_profiles_script(string node, string golden, BootScriptKind kind)
    {
        BootScript script = BootTestFleet.Renderer().RenderScript(BootTestFleet.Node(node));

        Assert.Equal(kind, script.Kind);
        Assert.Empty(script.Findings);
        Assert.True(script.IsValid);
        Assert.Equal(node, script.NodeName);
        Assert.Equal($"boot/{script.MacAddress}.ipxe", script.Route);
        Assert.Equal("http://192.0.2.1/" + script.Route, script.Url);
        GoldenFiles.AssertMatches(golden, script.Text);
    }

    [Fact]
    public void A_script_for_any_node_uses_ipxe_settings_for_per_node_urls()
    {
        BootScript script = BootRenderer.RenderScript(new BootScriptRequest
        {
            Kind = BootScriptKind.Ubuntu,
            HttpBaseUrl = "http://192.0.2.1:8080/",
            KernelUrl = "http://192.0.2.1:8080/ubuntu-24.04/casper/vmlinuz",
            InitrdUrl = "http://192.0.2.1:8080/ubuntu-24.04/casper/initrd",
            RepoUrl = "http://192.0.2.1:8080/ubuntu-24.04/ubuntu-24.04-live-server-amd64.iso",
            SerialConsole = "ttyS0,115200n8",
        });

        Assert.Empty(script.Findings);
        Assert.Null(script.Route);
        Assert.Contains("ds=nocloud-net;s=http://192.0.2.1:8080/nocloud/${mac}/", script.Text, StringComparison.Ordinal);
        GoldenFiles.AssertMatches("ubuntu-any-node.ipxe", script.Text);
    }

    [Fact]
    public void An_arm64_custom_kernel_is_guarded_by_buildarch()
    {
        BootScript script = BootRenderer.RenderScript(new BootScriptRequest
        {
            Kind = BootScriptKind.Custom,
            NodeName = "gpu-arm-01",
            MacAddress = PhysicalAddress.Parse("02-00-00-00-0A-01"),
            KernelUrl = "http://192.0.2.1/arm64/Image",
            InitrdUrl = "http://192.0.2.1/arm64/initrd.img",
            Cmdline = "root=/dev/ram0",
            SerialConsole = "ttyAMA0,115200",
            Arch = "arm64",
            Timeout = TimeSpan.FromSeconds(10),
            Attempts = 2,
        });

        Assert.Empty(script.Findings);
        GoldenFiles.AssertMatches("custom-arm64.ipxe", script.Text);
    }

    [Fact]
    public void Exit_to_disk_can_be_chosen_for_any_node()
    {
        BootScript script = BootTestFleet.Renderer().RenderScript(BootTestFleet.Node("node01"), BootScriptKind.ExitToDisk);

        Assert.Equal(BootScriptKind.ExitToDisk, script.Kind);
        Assert.Contains("sanboot --no-describe --drive 0x80", script.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("kernel", script.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fleet_timeout_is_the_fetch_timeout_in_milliseconds_and_attempts_bound_the_loop()
    {
        string text = BootTestFleet.Renderer().RenderScript(BootTestFleet.Node("node02")).Text;

        Assert.Contains("kernel --name kernel --timeout 45000 ", text, StringComparison.Ordinal);
        Assert.Contains("initrd --name initrd --timeout 45000 ", text, StringComparison.Ordinal);
        Assert.Contains("iseq ${nf_try} 4 && goto nf_give_up ||", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_arguments_carry_each_installers_answer_file()
    {
        BootRenderer renderer = BootTestFleet.Renderer();
        Assert.Contains("autoinstall ds=nocloud-net;s=http://192.0.2.1/nocloud/52:54:00:00:00:01/ ", renderer.RenderScript(BootTestFleet.Node("node01")).Text, StringComparison.Ordinal);
        Assert.Contains(" inst.ks=http://192.0.2.1/ks/52:54:00:00:00:02.cfg inst.repo=http://192.0.2.1/rhel-9/ ", renderer.RenderScript(BootTestFleet.Node("node02")).Text, StringComparison.Ordinal);
        Assert.Contains(" auto=true priority=critical url=http://192.0.2.1/preseed/52:54:00:00:00:03.cfg hostname=node03 domain=lab.example", renderer.RenderScript(BootTestFleet.Node("node03")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node04", BootScriptKind.Ubuntu, "installs 'custom'")]
    [InlineData("node07", BootScriptKind.Custom, "no kernel")]
    [InlineData("node01", BootScriptKind.Chain, "no url")]
    public void A_kind_the_profile_cannot_boot_is_refused_with_the_reason(string node, BootScriptKind kind, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => BootTestFleet.Renderer().RenderScript(BootTestFleet.Node(node), kind));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incomplete_request_is_refused()
    {
        Assert.Throws<ArgumentException>(() => IpxeScriptRenderer.Render(new BootScriptRequest { Kind = BootScriptKind.Rhel, KernelUrl = "http://x/k", InitrdUrl = "http://x/i" }));
        Assert.Throws<ArgumentException>(() => IpxeScriptRenderer.Render(new BootScriptRequest { Kind = BootScriptKind.Chain }));
        Assert.Throws<ArgumentException>(() => IpxeScriptRenderer.Render(new BootScriptRequest { Kind = BootScriptKind.Custom, KernelUrl = "http://x/k k" }));
        Assert.Throws<ArgumentException>(() => IpxeScriptRenderer.Render(new BootScriptRequest { Kind = BootScriptKind.ExitToDisk, Attempts = 0 }));
    }
}
