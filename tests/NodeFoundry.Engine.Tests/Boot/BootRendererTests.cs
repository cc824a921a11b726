using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Tests.Fleet;

namespace NodeFoundry.Tests.Boot;

public sealed class BootRendererTests
{
    [Theory]
    [InlineData("/boot/52:54:00:00:00:01.ipxe", "#!ipxe\n")]
    [InlineData("/boot/52%3A54%3A00%3A00%3A00%3A02.ipxe", "#!ipxe\n")]
    [InlineData("/nocloud/52-54-00-00-00-01/user-data", "#cloud-config\n")]
    [InlineData("/nocloud/52:54:00:00:00:01/meta-data", "instance-id: nf-node01\n")]
    [InlineData("/nocloud/52:54:00:00:00:01/vendor-data", "#cloud-config\n")]
    [InlineData("/nocloud/52:54:00:00:00:01/network-config", "version: 2\n")]
    [InlineData("/ks/52:54:00:00:00:02.cfg", "# NodeFoundry kickstart for node02")]
    [InlineData("/preseed/52:54:00:00:00:03.cfg", "# NodeFoundry preseed for node03")]
    public void A_route_renders_the_nodes_artifact(string path, string start)
    {
        Assert.True(BootRoutes.TryParse(path, out BootRoute? route));

        RenderedRoute? rendered = BootTestFleet.Renderer().RenderRoute(route);

        Assert.NotNull(rendered);
        Assert.StartsWith(start, rendered.Text, StringComparison.Ordinal);
        Assert.Empty(rendered.Findings);
    }

    [Theory]
    [InlineData("/boot/52:54:00:00:00:99.ipxe")]
    [InlineData("/ks/52:54:00:00:00:01.cfg")]
    [InlineData("/nocloud/52:54:00:00:00:02/user-data")]
    [InlineData("/preseed/52:54:00:00:00:07.cfg")]
    [InlineData("/phone-home/52:54:00:00:00:01")]
    public void Routes_with_nothing_to_render_give_null(string path)
    {
        Assert.True(BootRoutes.TryParse(path, out BootRoute? route));
        Assert.Null(BootTestFleet.Renderer().RenderRoute(route));
    }

    [Fact]
    public void Every_node_of_the_lab_example_renders_clean_but_for_the_missing_hash_file()
    {
        FleetConfig lab = FleetLoader.LoadFileOrThrow(FleetTestFiles.LabExample);
        var renderer = new BootRenderer(lab, new SecretResolver(Path.Combine(Path.GetTempPath(), $"nf-no-secrets-{Guid.NewGuid():N}")));

        foreach (FleetNode node in lab.Nodes)
        {
            Assert.Empty(renderer.RenderScript(node).Findings);
            foreach (AnswerFile file in renderer.RenderAnswerFiles(node))
            {
                Assert.All(file.Findings, f => Assert.Equal(LintCodes.Secret, f.Code));
            }
        }
    }

    [Fact]
    public void Placeholders_in_profile_paths_expand_per_node_and_ipxe_settings_pass_through()
    {
        FleetNode node = BootTestFleet.Node("node01");
        FleetConfig fleet = BootTestFleet.Fleet;

        Assert.Equal("http://192.0.2.1/k/52:54:00:00:00:01/node01/4c4c4544-0042-3610-8031-b4c04f4e3232/192.0.2.11/${buildarch}",
            FleetBootPlanner.ResolveUrl(fleet, node, "{http}k/{mac}/{hostname}/{uuid}/{ip}/${buildarch}"));
        Assert.Equal("http://192.0.2.1/rhel-9/", FleetBootPlanner.ResolveUrl(fleet, node, "rhel-9/"));
        Assert.Equal("https://mirror.example/x", FleetBootPlanner.ResolveUrl(fleet, node, "https://mirror.example/x"));
        Assert.Equal("iscsi:192.0.2.5::::iqn.2010-04.example:disk0", FleetBootPlanner.ResolveUrl(fleet, node, "iscsi:192.0.2.5::::iqn.2010-04.example:disk0"));
        Assert.Equal("http://192.0.2.1/boot/${mac}", FleetBootPlanner.ResolveUrl(fleet, null, "{http}boot/{mac}"));
    }

    [Fact]
    public void The_secret_resolver_reads_the_first_line_of_a_file_and_environment_variables()
    {
        string folder = Directory.CreateTempSubdirectory("nf-secrets-").FullName;
        string variable = "NF_TEST_SECRET_" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllText(Path.Combine(folder, "ops.hash"), "\n  $6$salt$hash  \nsecond\n");
            Environment.SetEnvironmentVariable(variable, " $6$env$hash ");
            var resolver = new SecretResolver(folder);

            Assert.True(resolver.TryResolve(new SecretReference("file", "ops.hash"), out string? fromFile, out _));
            Assert.Equal("$6$salt$hash", fromFile);
            Assert.True(resolver.TryResolve(new SecretReference("env", variable), out string? fromEnv, out _));
            Assert.Equal("$6$env$hash", fromEnv);
            Assert.False(resolver.TryResolve(new SecretReference("file", "missing.hash"), out _, out string? problem));
            Assert.Contains("missing.hash", problem, StringComparison.Ordinal);
            Assert.False(resolver.TryResolve(new SecretReference("env", variable + "_UNSET"), out _, out problem));
            Assert.Contains("not set", problem, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("file:secrets/ops.hash", "file", "secrets/ops.hash")]
    [InlineData("env:NF_OPS_HASH", "env", "NF_OPS_HASH")]
    public void Secret_references_parse(string text, string scheme, string name)
    {
        Assert.True(SecretReference.TryParse(text, out SecretReference? reference));
        Assert.Equal(new SecretReference(scheme, name), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("vault:ops")]
    [InlineData("env:NF-OPS")]
    [InlineData("file:")]
    [InlineData("$6$salt$hash")]
    [InlineData("hunter2")]
    public void Other_texts_are_not_secret_references(string text)
    {
        Assert.False(SecretReference.TryParse(text, out _));
    }

    [Fact]
    public void A_script_without_a_mac_has_no_route()
    {
        BootScript script = BootRenderer.RenderScript(new BootScriptRequest { Kind = BootScriptKind.ExitToDisk });
        Assert.Null(script.Route);
        Assert.Null(script.Url);
        Assert.Null(script.MacAddress);

        BootScript known = BootRenderer.RenderScript(new BootScriptRequest { Kind = BootScriptKind.ExitToDisk, MacAddress = PhysicalAddress.Parse("02-00-00-00-00-01") });
        Assert.Equal("boot/02:00:00:00:00:01.ipxe", known.Route);
    }
}
