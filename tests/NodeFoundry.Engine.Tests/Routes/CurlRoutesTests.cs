using NodeFoundry.Boot;
using NodeFoundry.Tests.Http;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Routes;

/// <summary>curl against the lab's per-node routes on 127.0.0.1: what an operator (and iPXE's URL encoding) does.</summary>
public sealed class CurlRoutesTests
{
    [Fact]
    public async Task Curl_gets_every_route_of_the_lab_in_every_spelling_and_phones_home()
    {
        await using var lab = await LabRouteFleet.StartAsync(http: "disarmAfterInstall: true");
        var url = lab.Server.Url(string.Empty);
        var renderer = new BootRenderer(lab.Fleet);
        foreach (var node in lab.Fleet.Nodes)
        {
            var colon = MacAddressText.Format(node.MacAddress);
            var encoded = colon.Replace(":", "%3A", StringComparison.Ordinal);
            var script = Curl(url + "/boot/" + encoded + ".ipxe");
            Assert.Equal(renderer.RenderScript(node).Text, script);
            foreach (var file in renderer.RenderAnswerFiles(node))
            {
                Assert.Equal(file.Text, Curl(url + "/" + file.Route.Replace(colon, encoded, StringComparison.Ordinal)));
                var head = CurlInteropTests.Curl("-I", url + "/" + file.Route);
                Assert.Equal(0, head.Exit);
                Assert.Contains($"Content-Length: {System.Text.Encoding.UTF8.GetByteCount(file.Text)}\r\n", head.Out, StringComparison.Ordinal);
            }
        }

        Assert.Contains("instance-id:", Curl(url + "/nocloud/52-54-00-00-00-01/meta-data"), StringComparison.Ordinal);
        Assert.Equal(lab.Routes.DiscoveryScript(), Curl(url + "/boot/52:54:00:12:34:56.ipxe"));
        Assert.Contains("network boot disarmed", Curl("-X", "POST", "--data", "{\"done\":true}", url + "/phone-home/52%3A54%3A00%3A00%3A00%3A02"), StringComparison.Ordinal);
        Assert.Contains("sanboot --no-describe", Curl(url + "/boot/52:54:00:00:00:02.ipxe"), StringComparison.Ordinal);
        Assert.Contains("nodefoundry_nodes_installed 1\n", Curl(url + "/metrics"), StringComparison.Ordinal);
    }

    private static string Curl(params string[] args)
    {
        var (exit, output, error) = CurlInteropTests.Curl(["--fail", .. args]);
        Assert.True(exit == 0, $"curl {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }
}
