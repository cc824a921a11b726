using System.Text.RegularExpressions;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Host;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Host;

/// <summary>
/// The README's main job, `nodefoundry demo`, run in-process: loopback only, no root, no lab. It must exit 0
/// and print, for each of the three clients, every step and a boot timeline that ends at the last stage
/// this build serves (Installed with per-node routes; Initrd without, which the demo must say).
/// </summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task The_demo_walks_three_clients_through_dhcp_tftp_and_http_and_exits_0()
    {
        using var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var exit = await DemoCommand.RunAsync(ArgumentReader.Parse([]), output, timeout.Token);

        var text = output.ToString();
        AssertWalked(exit, text);

        // The product's own per-node routes, as `serve` maps them: answer files and phone-home for every node.
        Assert.Matches(@"node01 \(BIOS\) +answer file +GET nocloud/52:54:00:00:00:01/user-data → 200 .* ok", text);
        Assert.Matches(@"node01 \(BIOS\) +answer file +GET nocloud/52:54:00:00:00:01/meta-data → 200 .* ok", text);
        Assert.Matches(@"node02 \(UEFI x64\) +answer file +GET ks/52:54:00:00:00:02.cfg → 200 .* ok", text);
        Assert.Matches(@"node03 \(UEFI HTTP Boot\) +answer file +GET preseed/52:54:00:00:00:03.cfg → 200 .* ok", text);
        Assert.Equal(3, Regex.Matches(text, @"phone-home +GET phone-home/\S+ → 200 +ok").Count);
    }

    private static void AssertWalked(int exit, string text)
    {
        Assert.True(exit == 0, text);
        Assert.Contains("demo passed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("WRONG", text, StringComparison.Ordinal);
        const string last = "Installed";
        string[] stages = ["Offered", "Bound", "NbpFetched", "IpxeDhcp", "ScriptFetched", "Kernel", "Initrd", "AnswerFile", "Installed"];
        foreach (var client in new[] { "node01 (BIOS)", "node02 (UEFI x64)", "node03 (UEFI HTTP Boot)" })
        {
            Assert.Matches($@"{Regex.Escape(client)} +firmware DHCP .* ok", text);
            Assert.Matches($@"{Regex.Escape(client)} +NBP \((TFTP|HTTP)\) .* ok", text);
            Assert.Matches($@"{Regex.Escape(client)} +iPXE DHCP .* ok", text);
            Assert.Matches($@"{Regex.Escape(client)} +kernel +GET .* 200 .* ok", text);
            Assert.Matches($@"{Regex.Escape(client)} +initrd +GET .* 200 .* ok", text);
            var timeline = Assert.Single(text.Split('\n'), l => l.StartsWith("  " + client, StringComparison.Ordinal));
            Assert.Equal(stages, StageName().Matches(timeline).Select(m => m.Groups[1].Value));
            Assert.EndsWith($"→ {last}  ok", timeline.TrimEnd(), StringComparison.Ordinal);
        }

        Assert.Contains("node01 (BIOS)              NBP (TFTP)", text, StringComparison.Ordinal);
        Assert.Contains("node03 (UEFI HTTP Boot)    NBP (HTTP)", text, StringComparison.Ordinal);
        Assert.Matches(@"unknown \(UEFI x64, arch 9\) firmware DHCP .* ok", text);
    }

    [GeneratedRegex(@" (\w+) \+\d+")]
    private static partial Regex StageName();
}
