using System.Diagnostics.CodeAnalysis;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Tests.Surface;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What tests/Pester/New-NfBootScript.Tests.ps1 and New-NfAnswerFile.Tests.ps1 take for granted about the engine,
/// checked here without PowerShell: the boot fixture loads, each node renders the kind and routes the suites expect,
/// everything lints clean once the hash resolves, and an unresolved hash is an NF-SECRET error.
/// </summary>
public sealed class BootPesterAssumptionTests
{
    private const string Hash = "$6$pester$0Mq3pYy2Vv9cRfJk1nB7sLw4tG8hZ5xQeD6uA2iO3rT9mN1kP7lS4jH8gF0dC5bV3xZ1yW6qE2rT8uI4oP9aS/";

    private static readonly FleetConfig Fleet =
        FleetLoader.LoadFileOrThrow(Path.Combine(ModuleLayout.RepositoryRoot, "tests", "Pester", "fixtures", "boot-fleet.yaml"));

    [Fact]
    public void Every_node_renders_the_kind_the_suite_expects_and_lints_clean()
    {
        var renderer = new BootRenderer(Fleet, new Secrets(Hash));

        Assert.Equal(["node01", "node02", "node03", "node04"], Fleet.Nodes.Select(n => n.Name));
        Assert.Equal([BootScriptKind.Ubuntu, BootScriptKind.Rhel, BootScriptKind.Debian, BootScriptKind.ExitToDisk],
            Fleet.Nodes.Select(n => renderer.RenderScript(n).Kind));
        Assert.All(Fleet.Nodes, n => Assert.Empty(renderer.RenderScript(n).Findings));
        AnswerFile[] files = [.. Fleet.Nodes.SelectMany(renderer.RenderAnswerFiles)];
        Assert.Equal(6, files.Length);
        Assert.All(files, f => Assert.Empty(f.Findings));
        Assert.Contains($"--iscrypted --password={Hash}", files.Single(f => f.Kind == AnswerFileKind.Kickstart).Text, StringComparison.Ordinal);
        Assert.Contains("kernel --name kernel --timeout 20000 http://192.0.2.1/ubuntu/vmlinuz", renderer.RenderScript(Fleet.Nodes[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_hash_the_kickstart_locks_the_user_and_carries_NF_SECRET()
    {
        AnswerFile kickstart = new BootRenderer(Fleet, new Secrets(null)).RenderAnswerFiles(Fleet.Nodes[1]).Single();

        Assert.False(kickstart.IsValid);
        Assert.Contains(kickstart.Findings, f => f.Code == LintCodes.Secret);
        Assert.Contains("user --name=ops --groups=wheel --lock", kickstart.Text, StringComparison.Ordinal);
    }

    private sealed class Secrets(string? value) : ISecretResolver
    {
        public bool TryResolve(SecretReference reference, [NotNullWhen(true)] out string? resolved, [NotNullWhen(false)] out string? problem)
        {
            Assert.Equal(new SecretReference("env", "NF_PESTER_OPS_HASH"), reference);
            resolved = value;
            problem = value is null ? "not set" : null;
            return value is not null;
        }
    }
}
