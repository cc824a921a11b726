using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.Tests.Completion;

/// <summary>What Tab offers from a fleet file: the candidates behind the module's argument completers.</summary>
[Collection(nameof(FleetCompletionSourceTests))]
public sealed class FleetCompletionSourceTests : IDisposable
{
    private const string Fleet = """
        version: 1
        server: { address: 192.0.2.1 }
        dhcp:
          scopes:
            - name: lab
              subnet: 192.0.2.0/24
              router: 192.0.2.1
              pxeRange: { start: 192.0.2.150, end: 192.0.2.199 }
        profiles:
          ubuntu-24.04: { os: ubuntu, kernel: u/vmlinuz, initrd: u/initrd, repo: u/ubuntu.iso }
          rhel-9: { os: rhel, kernel: r/vmlinuz, initrd: r/initrd.img, repo: r/ }
        nodes:
          - { name: gpu-01, mac: "52:54:00:00:00:01", profile: ubuntu-24.04 }
          - { name: gpu-02, mac: "52:54:00:00:00:02", profile: ubuntu-24.04 }
          - { name: db-01, mac: "52:54:00:00:01:01", profile: rhel-9 }
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nf-complete-");

    public FleetCompletionSourceTests() => FleetCompletionSource.Reset();

    public void Dispose()
    {
        FleetCompletionSource.Reset();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public void Node_names_complete_by_prefix_case_insensitively()
    {
        string fleet = Write("fleet.yaml", Fleet);

        var candidates = FleetCompletionSource.Complete(FleetCompletionKind.NodeName, fleet, "GPU");

        Assert.Equal(["gpu-01", "gpu-02"], candidates.Select(c => c.CompletionText));
        Assert.Contains("52:54:00:00:00:01", candidates[0].ToolTip, StringComparison.Ordinal);
        Assert.Contains("ubuntu-24.04", candidates[0].ToolTip, StringComparison.Ordinal);
    }

    [Fact]
    public void Mac_addresses_complete_with_the_node_name_as_tool_tip()
    {
        string fleet = Write("fleet.yaml", Fleet);

        var candidates = FleetCompletionSource.Complete(FleetCompletionKind.MacAddress, fleet, "52:54:00:00:0");

        Assert.Equal(["52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:01:01"], candidates.Select(c => c.CompletionText));
        Assert.Equal(["gpu-01", "gpu-02", "db-01"], candidates.Select(c => c.ToolTip));
    }

    [Fact]
    public void Profiles_complete_with_their_node_count()
    {
        string fleet = Write("fleet.yaml", Fleet);

        var candidates = FleetCompletionSource.Complete(FleetCompletionKind.ProfileName, fleet, "");

        Assert.Equal(["rhel-9", "ubuntu-24.04"], candidates.Select(c => c.CompletionText));
        Assert.Equal("ubuntu-24.04: 2 node(s)", candidates[1].ToolTip);
    }

    [Fact]
    public void A_quoted_word_still_matches()
    {
        string fleet = Write("fleet.yaml", Fleet);

        Assert.Equal(["db-01"], FleetCompletionSource.Complete(FleetCompletionKind.NodeName, fleet, "'db").Select(c => c.CompletionText));
    }

    [Fact]
    public void Without_a_fleet_on_the_command_line_the_recent_fleets_are_used()
    {
        string first = Write("a.yaml", Fleet);
        string second = Write("b.yaml", Fleet.Replace("gpu-01", "cpu-01", StringComparison.Ordinal).Replace("52:54:00:00:00:01", "52:54:00:00:02:01", StringComparison.Ordinal));

        Assert.Empty(FleetCompletionSource.Complete(FleetCompletionKind.NodeName, null, ""));

        FleetCompletionSource.Remember(first);
        FleetCompletionSource.Remember(second);

        Assert.Equal([second, first], FleetCompletionSource.RecentFleets());
        Assert.Equal(["cpu-01", "db-01", "gpu-01", "gpu-02"], FleetCompletionSource.Complete(FleetCompletionKind.NodeName, null, "").Select(c => c.CompletionText));
    }

    [Fact]
    public void Only_the_newest_fleets_are_remembered()
    {
        for (int i = 0; i < FleetCompletionSource.RecentCapacity + 3; i++)
        {
            FleetCompletionSource.Remember(Path.Combine(_dir.FullName, $"f{i}.yaml"));
        }

        IReadOnlyList<string> recent = FleetCompletionSource.RecentFleets();
        Assert.Equal(FleetCompletionSource.RecentCapacity, recent.Count);
        Assert.Equal(Path.Combine(_dir.FullName, $"f{FleetCompletionSource.RecentCapacity + 2}.yaml"), recent[0]);
    }

    [Fact]
    public void An_invalid_or_missing_fleet_offers_nothing_and_does_not_throw()
    {
        string broken = Write("broken.yaml", "nodes: [ { name: x, mac: not-a-mac } ]");

        Assert.Empty(FleetCompletionSource.Complete(FleetCompletionKind.NodeName, broken, ""));
        Assert.Empty(FleetCompletionSource.Complete(FleetCompletionKind.NodeName, Path.Combine(_dir.FullName, "missing.yaml"), ""));
    }

    [Fact]
    public void An_edited_fleet_is_read_again()
    {
        string fleet = Write("fleet.yaml", Fleet);
        Assert.Equal(3, FleetCompletionSource.Complete(FleetCompletionKind.NodeName, fleet, "").Count);

        File.WriteAllText(fleet, Fleet.Replace("  - { name: db-01, mac: \"52:54:00:00:01:01\", profile: rhel-9 }", "", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(fleet, DateTime.UtcNow.AddMinutes(1));

        Assert.Equal(["gpu-01", "gpu-02"], FleetCompletionSource.Complete(FleetCompletionKind.NodeName, fleet, "").Select(c => c.CompletionText));
    }

    [Theory]
    [InlineData("gpu-01", "gpu-01")]
    [InlineData("52:54:00:00:00:01", "52:54:00:00:00:01")]
    [InlineData("rack 1", "'rack 1'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("$node", "'$node'")]
    public void Values_PowerShell_would_split_or_expand_are_single_quoted(string value, string expected)
    {
        Assert.Equal(expected, FleetCompletionSource.Quote(value));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
