using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Routes;

/// <summary>Every per-node route of examples/lab.yaml over loopback HTTP, against what <see cref="BootRenderer"/> renders.</summary>
public sealed class FleetHttpRoutesTests
{
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52-54-00-00-00-01");

    /// <summary>Every route the lab's nodes have: the script and each answer file of the node's profile.</summary>
    private static List<(string Path, string Expected)> LabRoutes(FleetConfig fleet)
    {
        var renderer = new BootRenderer(fleet);
        var routes = new List<(string, string)>();
        foreach (var node in fleet.Nodes)
        {
            var paths = new List<string> { BootRoutes.Script(node.MacAddress) };
            paths.AddRange(renderer.RenderAnswerFiles(node).Select(f => f.Route));
            foreach (var path in paths)
            {
                Assert.True(BootRoutes.TryParse(path, out var route));
                var rendered = renderer.RenderRoute(route);
                Assert.NotNull(rendered);
                Assert.DoesNotContain(rendered.Findings, f => f.Severity == LintSeverity.Error);
                routes.Add(("/" + path, rendered.Text));
            }
        }

        return routes;
    }

    [Fact]
    public async Task Every_per_node_route_of_the_lab_answers_200_with_the_rendered_content()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        var routes = LabRoutes(lab.Fleet);
        Assert.Equal(3 + 4 + 1 + 1, routes.Count);
        foreach (var (path, expected) in routes)
        {
            var response = lab.Get(path);
            Assert.True(response.Status == 200, $"{path}: {response.Status}");
            Assert.Equal(expected, response.Text);
            Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal("no-store", response.Header("Cache-Control"));
        }

        var events = await lab.Server.WaitForEventsAsync(routes.Count);
        Assert.All(events, e => Assert.NotNull(e.MacAddress));
        Assert.Equal(lab.Fleet.Nodes.Select(n => n.MacAddress).ToHashSet(), events.Select(e => e.MacAddress!).ToHashSet());
    }

    [Fact]
    public async Task Head_answers_the_same_head_as_get_without_a_body()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        foreach (var (path, _) in LabRoutes(lab.Fleet))
        {
            var get = lab.Get(path);
            var head = lab.Head(path);
            Assert.Equal(get.Status, head.Status);
            Assert.Equal(get.Header("Content-Length"), head.Header("Content-Length"));
            Assert.Equal(get.Header("Content-Type"), head.Header("Content-Type"));
            Assert.Empty(head.Body);
        }
    }

    [Fact]
    public async Task Meta_data_carries_the_instance_id_and_user_data_is_autoinstall()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        var meta = lab.Get("/nocloud/52:54:00:00:00:01/meta-data");
        Assert.Equal(200, meta.Status);
        Assert.Contains("instance-id: nf-node01", meta.Text, StringComparison.Ordinal);
        var user = lab.Get("/nocloud/52:54:00:00:00:01/user-data");
        Assert.StartsWith("#cloud-config", user.Text, StringComparison.Ordinal);
        Assert.Contains("autoinstall:", user.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("52:54:00:00:00:01")]
    [InlineData("52-54-00-00-00-01")]
    [InlineData("525400000001")]
    [InlineData("52:54:00:00:00:01", true)]
    [InlineData("52%3A54%3A00%3A00%3A00%3A01")]
    [InlineData("52%3a54%3a00%3a00%3a00%3a01")]
    public async Task Every_mac_spelling_reaches_the_same_node(string spelling, bool upper = false)
    {
        await using var lab = await LabRouteFleet.StartAsync();
        var mac = upper ? spelling.ToUpperInvariant() : spelling;
        var expected = new BootRenderer(lab.Fleet).RenderScript(lab.Fleet.Nodes[0]).Text;
        Assert.Equal(expected, lab.Get($"/boot/{mac}.ipxe").Text);
        Assert.Equal(200, lab.Get($"/nocloud/{mac}/meta-data").Status);
        var events = await lab.Server.WaitForEventsAsync(2);
        Assert.All(events, e => Assert.Equal(Node01, e.MacAddress));
    }

    [Fact]
    public async Task The_path_is_decoded_once_only()
    {
        await using var lab = await LabRouteFleet.StartAsync(http: "unknownNodes: 404");
        Assert.Equal(404, lab.Get("/boot/52%253A54%253A00%253A00%253A00%253A01.ipxe").Status);
        Assert.Equal(404, lab.Get("/nocloud/52%253A54%253A00%253A00%253A00%253A01/meta-data").Status);
    }

    [Fact]
    public async Task A_node_with_a_uuid_is_found_by_it()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        var expected = new BootRenderer(lab.Fleet).RenderScript(lab.Fleet.Nodes[0]).Text;
        Assert.Equal(expected, lab.Get($"/boot/uuid/{LabRouteFleet.Node01Uuid}.ipxe").Text);
        Assert.Equal(expected, lab.Get($"/boot/uuid/{LabRouteFleet.Node01Uuid.ToUpperInvariant()}.ipxe").Text);
        var events = await lab.Server.WaitForEventsAsync(2);
        Assert.All(events, e => Assert.Equal(Node01, e.MacAddress));
    }

    [Fact]
    public async Task Answer_files_a_profile_does_not_have_and_bad_names_are_404()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        Assert.Equal(404, lab.Get("/ks/52:54:00:00:00:01.cfg").Status);          // ubuntu node: no kickstart
        Assert.Equal(404, lab.Get("/preseed/52:54:00:00:00:02.cfg").Status);     // rhel node: no preseed
        Assert.Equal(404, lab.Get("/nocloud/52:54:00:00:00:03/user-data").Status); // debian node: no seed
        Assert.Equal(404, lab.Get("/nocloud/52:54:00:00:00:01/other").Status);
        Assert.Equal(404, lab.Get("/boot/52:54:00:00:00:01.txt").Status);
        Assert.Equal(404, lab.Get("/ks/not-a-mac.cfg").Status);
        Assert.Equal(404, lab.Get("/nocloud/52:54:00:00:00:99/meta-data").Status); // unknown node: no answer files
    }

    [Fact]
    public async Task Unknown_nodes_get_the_discovery_script_by_default_and_it_reports_them()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        Assert.Equal(UnknownNodePolicy.Discovery, lab.Fleet.Http.UnknownNodes);
        var script = lab.Get("/boot/52:54:00:aa:bb:cc.ipxe");
        Assert.Equal(200, script.Status);
        Assert.Equal(lab.Routes.DiscoveryScript(), script.Text);
        Assert.StartsWith("#!ipxe\n", script.Text, StringComparison.Ordinal);
        Assert.Contains("imgfetch --timeout 30000 --name nf_discover http://192.0.2.1/discover/${mac:hexhyp}?uuid=${uuid}", script.Text, StringComparison.Ordinal);
        Assert.Contains("sleep 10\n", script.Text, StringComparison.Ordinal);
        Assert.Contains("sanboot --no-describe --drive 0x80", script.Text, StringComparison.Ordinal);
        Assert.Empty(BootLint.Ipxe(script.Text));

        // What the script fetches: the hyphen form iPXE's ${mac:hexhyp} expands to.
        Assert.Equal(200, lab.Get("/discover/52-54-00-aa-bb-cc?uuid=4c4c4544-0000-0000-0000-000000000001").Status);
        var found = Assert.Single(lab.DrainRouteEvents().OfType<NodeDiscoveredEvent>());
        Assert.Equal(PhysicalAddress.Parse("52-54-00-AA-BB-CC"), found.MacAddress);
        Assert.Equal("4c4c4544-0000-0000-0000-000000000001", found.Uuid);
        Assert.Equal(System.Net.IPAddress.Loopback, found.IPAddress);

        // An unknown UUID gets the same default.
        Assert.Equal(lab.Routes.DiscoveryScript(), lab.Get("/boot/uuid/00000000-0000-0000-0000-000000000009.ipxe").Text);
    }

    [Fact]
    public async Task Unknown_nodes_exit_to_disk_when_the_fleet_says_exit()
    {
        await using var lab = await LabRouteFleet.StartAsync(http: "unknownNodes: exit");
        var script = lab.Get("/boot/52:54:00:aa:bb:cc.ipxe");
        Assert.Equal(200, script.Status);
        Assert.Equal(FleetHttpRoutes.ExitScript(null, null), script.Text);
        Assert.DoesNotContain("discover", script.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_nodes_get_404_when_the_fleet_says_404()
    {
        await using var lab = await LabRouteFleet.StartAsync(http: "unknownNodes: 404");
        Assert.Equal(404, lab.Get("/boot/52:54:00:aa:bb:cc.ipxe").Status);
        Assert.Equal(200, lab.Get("/boot/52:54:00:00:00:01.ipxe").Status);
        var events = await lab.Server.WaitForEventsAsync(2);
        Assert.Equal(PhysicalAddress.Parse("52-54-00-AA-BB-CC"), Assert.Single(events, e => e.StatusCode == 404).MacAddress);
    }

    [Fact]
    public async Task The_discovery_delay_comes_from_the_fleet()
    {
        await using var lab = await LabRouteFleet.StartAsync(http: "discoveryDelay: 3s");
        var text = lab.Routes.DiscoveryScript();
        Assert.Contains("\nsleep 3\n", text, StringComparison.Ordinal);
        Assert.Empty(BootLint.Ipxe(text));
    }

    [Fact]
    public async Task A_lint_error_answers_500_with_the_lint_message_in_the_event_never_the_file()
    {
        // The lab references secrets/ops.hash, which is not committed: without it the answer files that need the
        // password hash (ubuntu user-data, rhel kickstart) carry NF-SECRET and are not served (docs/http-routes.md).
        await using var lab = await LabRouteFleet.StartAsync(withHash: false);
        var user = lab.Get("/nocloud/52:54:00:00:00:01/user-data");
        Assert.Equal(500, user.Status);
        Assert.DoesNotContain("autoinstall", user.Text, StringComparison.Ordinal);
        var ks = lab.Get("/ks/52:54:00:00:00:02.cfg");
        Assert.Equal(500, ks.Status);

        // Files without the password still answer, and so do the scripts.
        Assert.Equal(200, lab.Get("/nocloud/52:54:00:00:00:01/meta-data").Status);
        Assert.Equal(200, lab.Get("/preseed/52:54:00:00:00:03.cfg").Status);
        Assert.Equal(200, lab.Get("/boot/52:54:00:00:00:01.ipxe").Status);

        // Events are published after each response is sent, so across connections their order is not fixed.
        var events = await lab.Server.WaitForEventsAsync(5);
        var userData = Assert.Single(events, e => e.Path == "/nocloud/52:54:00:00:00:01/user-data");
        Assert.Equal(500, userData.StatusCode);
        Assert.Contains(LintCodes.Secret, userData.Reason, StringComparison.Ordinal);
        Assert.Contains("nocloud/52:54:00:00:00:01/user-data not served", userData.Reason, StringComparison.Ordinal);
        Assert.Equal(Node01, userData.MacAddress);
        Assert.Contains(LintCodes.Secret, Assert.Single(events, e => e.Path == "/ks/52:54:00:00:00:02.cfg").Reason, StringComparison.Ordinal);
        Assert.All(events.Where(e => e.StatusCode == 200), e => Assert.Null(e.Reason));
        Assert.Equal(1, lab.Server.Server.Counters.ByRoute().Single(r => r.Route == "/nocloud/{mac}/{file}").RequestsByClass[4]);
    }

    [Fact]
    public async Task Phone_home_marks_the_node_installed_and_disarms_it_across_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("nf-routes-");
        var lab = await LabRouteFleet.StartAsync(http: "disarmAfterInstall: true", folder: folder);
        var script = new BootRenderer(lab.Fleet).RenderScript(lab.Fleet.Nodes[0]).Text;
        try
        {
            Assert.Equal(script, lab.Get("/boot/52:54:00:00:00:01.ipxe").Text);

            var answer = lab.Post("/phone-home/52:54:00:00:00:01", "{\"status\":\"done\"}");
            Assert.Equal(200, answer.Status);
            Assert.Contains("node01 installed; network boot disarmed", answer.Text, StringComparison.Ordinal);
            var home = Assert.Single(lab.DrainRouteEvents().OfType<PhoneHomeEvent>());
            Assert.Equal(Node01, home.MacAddress);
            Assert.Equal("node01", home.NodeName);
            Assert.True(home.Disarmed);
            Assert.Equal(System.Net.IPAddress.Loopback, home.IPAddress);

            var disarmed = lab.Get("/boot/52:54:00:00:00:01.ipxe");
            Assert.Equal(FleetHttpRoutes.ExitScript("node01", Node01), disarmed.Text);
            Assert.Equal(new BootRenderer(lab.Fleet).RenderScript(lab.Fleet.Nodes[1]).Text, lab.Get("/boot/52:54:00:00:00:02.ipxe").Text); // other nodes unaffected
            Assert.Equal(FleetHttpRoutes.ExitScript("node01", Node01), lab.Get($"/boot/uuid/{LabRouteFleet.Node01Uuid}.ipxe").Text);
        }
        finally
        {
            await lab.StopAsync(keepFolder: true);
        }

        // The state file is JSON lines in the state directory.
        var line = Assert.Single(File.ReadAllLines(Path.Combine(lab.StateDirectory, InstalledNodeStore.FileName)));
        Assert.Contains("\"mac\":\"52:54:00:00:00:01\"", line, StringComparison.Ordinal);
        Assert.Contains("\"disarmed\":true", line, StringComparison.Ordinal);

        await using var restarted = await LabRouteFleet.StartAsync(http: "disarmAfterInstall: true", folder: folder);
        Assert.True(restarted.Routes.Installed.IsDisarmed(Node01));
        Assert.Equal(FleetHttpRoutes.ExitScript("node01", Node01), restarted.Get("/boot/52:54:00:00:00:01.ipxe").Text);

        // Rearming (an operator reinstalling) brings the install script back, durably too.
        Assert.True(restarted.Routes.Installed.Rearm(Node01));
        Assert.Equal(script, restarted.Get("/boot/52:54:00:00:00:01.ipxe").Text);
        Assert.False(InstalledNodeStore.Open(restarted.StateDirectory).IsDisarmed(Node01));
    }

    [Fact]
    public async Task Phone_home_without_disarm_marks_but_keeps_the_install_script()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        Assert.Equal(200, lab.Get("/phone-home/52-54-00-00-00-02").Status);
        var home = Assert.Single(lab.DrainRouteEvents().OfType<PhoneHomeEvent>());
        Assert.False(home.Disarmed);
        Assert.Equal("node02", home.NodeName);
        Assert.Equal(1, lab.Routes.Installed.InstalledCount);
        var expected = new BootRenderer(lab.Fleet).RenderScript(lab.Fleet.Nodes[1]).Text;
        Assert.Equal(expected, lab.Get("/boot/52:54:00:00:00:02.ipxe").Text);
    }

    [Fact]
    public async Task Phone_home_refuses_unknown_nodes_large_bodies_and_head_records_nothing()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        Assert.Equal(404, lab.Post("/phone-home/52:54:00:aa:bb:cc", "{}").Status);
        var big = lab.Server.Request($"POST /phone-home/52:54:00:00:00:01 HTTP/1.1\r\nHost: x\r\nContent-Length: {FleetHttpRoutes.MaxPhoneHomeBodyBytes + 1}\r\n\r\n");
        Assert.Equal(413, big.Status);
        Assert.Equal(200, lab.Head("/phone-home/52:54:00:00:00:01").Status);
        Assert.Empty(lab.DrainRouteEvents());
        Assert.Equal(0, lab.Routes.Installed.InstalledCount);

        // POST is only for routes that take it.
        Assert.Equal(405, lab.Post("/boot/52:54:00:00:00:01.ipxe", "x").Status);
    }

    [Fact]
    public void A_torn_line_in_the_state_file_is_skipped_not_fatal()
    {
        var folder = Directory.CreateTempSubdirectory("nf-state-");
        try
        {
            var store = InstalledNodeStore.Open(folder.FullName);
            store.MarkInstalled(Node01, "node01", disarm: true, DateTimeOffset.UnixEpoch);
            File.AppendAllText(store.Path!, "{\"mac\":\"52:54:00:00:00:02\",\"ins");
            var reopened = InstalledNodeStore.Open(folder.FullName);
            Assert.Equal(1, reopened.IgnoredLines);
            Assert.True(reopened.IsDisarmed(Node01));

            // The next record starts on a fresh line, so the torn one cannot swallow it.
            reopened.MarkInstalled(PhysicalAddress.Parse("52-54-00-00-00-03"), "node03", disarm: false, DateTimeOffset.UnixEpoch);
            var third = InstalledNodeStore.Open(folder.FullName);
            Assert.Equal(2, third.InstalledCount);
            Assert.Equal(1, third.IgnoredLines);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_state_directory_that_cannot_be_created_is_reported_with_its_path()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => InstalledNodeStore.Open(Path.Combine(file, "state")));
            Assert.Contains(InstalledNodeStore.FileName, error.Message, StringComparison.Ordinal);
            Assert.Contains("server.stateDirectory", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
