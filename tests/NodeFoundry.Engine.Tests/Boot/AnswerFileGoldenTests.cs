using NodeFoundry.Boot;

namespace NodeFoundry.Tests.Boot;

/// <summary>Every answer file, rendered from the test fleet, compared as a whole text with Boot/golden.</summary>
public sealed class AnswerFileGoldenTests
{
    public static TheoryData<string, AnswerFileKind, string, string> Cases => new()
    {
        { "node01", AnswerFileKind.UserData, "nocloud/user-data", "nocloud/52:54:00:00:00:01/user-data" },
        { "node01", AnswerFileKind.MetaData, "nocloud/meta-data", "nocloud/52:54:00:00:00:01/meta-data" },
        { "node01", AnswerFileKind.VendorData, "nocloud/vendor-data", "nocloud/52:54:00:00:00:01/vendor-data" },
        { "node01", AnswerFileKind.NetworkConfig, "nocloud/network-config", "nocloud/52:54:00:00:00:01/network-config" },
        { "node02", AnswerFileKind.Kickstart, "ks.cfg", "ks/52:54:00:00:00:02.cfg" },
        { "node03", AnswerFileKind.Preseed, "preseed.cfg", "preseed/52:54:00:00:00:03.cfg" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_node_renders_its_answer_files(string node, AnswerFileKind kind, string golden, string route)
    {
        AnswerFile file = Assert.Single(BootTestFleet.Renderer().RenderAnswerFiles(BootTestFleet.Node(node)), f => f.Kind == kind);

        Assert.Empty(file.Findings);
        Assert.True(file.IsValid);
        Assert.Equal(route, file.Route);
        Assert.Equal("http://192.0.2.1/" + route, file.Url);
        GoldenFiles.AssertMatches(golden, file.Text);
    }

    [Fact]
    public void Ubuntu_gets_the_four_seed_files_rhel_a_kickstart_debian_a_preseed_and_the_others_none()
    {
        BootRenderer renderer = BootTestFleet.Renderer();
        Assert.Equal([AnswerFileKind.UserData, AnswerFileKind.MetaData, AnswerFileKind.VendorData, AnswerFileKind.NetworkConfig],
            renderer.RenderAnswerFiles(BootTestFleet.Node("node01")).Select(f => f.Kind));
        Assert.Equal([AnswerFileKind.Kickstart], renderer.RenderAnswerFiles(BootTestFleet.Node("node02")).Select(f => f.Kind));
        Assert.Equal([AnswerFileKind.Preseed], renderer.RenderAnswerFiles(BootTestFleet.Node("node03")).Select(f => f.Kind));
        foreach (string node in new[] { "node04", "node05", "node06", "node07" })
        {
            Assert.Empty(renderer.RenderAnswerFiles(BootTestFleet.Node(node)));
        }
    }

    [Fact]
    public void The_password_hash_is_read_through_the_resolver_at_render_time()
    {
        var secrets = new BootTestFleet.FakeSecrets(BootTestFleet.Hash);
        var renderer = new BootRenderer(BootTestFleet.Fleet, secrets);

        AnswerFile userData = renderer.RenderAnswerFiles(BootTestFleet.Node("node01"), [AnswerFileKind.UserData]).Single();

        Assert.Equal([new NodeFoundry.Fleet.SecretReference("env", "NF_TEST_HASH")], secrets.Asked);
        Assert.Contains($"password: \"{BootTestFleet.Hash}\"", userData.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unresolvable_hash_locks_the_password_and_is_an_error_finding()
    {
        AnswerFile kickstart = BootTestFleet.Renderer(hash: null).RenderAnswerFiles(BootTestFleet.Node("node02")).Single();

        Assert.False(kickstart.IsValid);
        LintFinding finding = Assert.Single(kickstart.Findings);
        Assert.Equal(LintCodes.Secret, finding.Code);
        Assert.Contains("env:NF_TEST_HASH", finding.Message, StringComparison.Ordinal);
        Assert.Contains("user --name=ops --groups=wheel --lock", kickstart.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_password_behind_the_reference_is_never_written()
    {
        AnswerFile[] files = [.. BootTestFleet.Renderer(hash: "hunter2").RenderAnswerFiles(BootTestFleet.Node("node01"))];

        Assert.All(files, f => Assert.DoesNotContain("hunter2", f.Text, StringComparison.Ordinal));
        Assert.Contains(files.Single(f => f.Kind == AnswerFileKind.UserData).Findings, f => f.Code == LintCodes.Secret);
        Assert.Empty(files.Single(f => f.Kind == AnswerFileKind.MetaData).Findings);
    }

    [Fact]
    public void Meta_data_instance_id_is_stable_per_node()
    {
        AnswerFile meta = BootTestFleet.Renderer().RenderAnswerFiles(BootTestFleet.Node("node01"), [AnswerFileKind.MetaData]).Single();
        Assert.StartsWith("instance-id: nf-node01\n", meta.Text, StringComparison.Ordinal);
    }
}
