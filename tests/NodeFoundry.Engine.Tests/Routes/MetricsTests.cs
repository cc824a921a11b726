using System.Globalization;
using System.Text.RegularExpressions;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Http;
using NodeFoundry.Metrics;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Routes;

/// <summary>/metrics: the Prometheus text format, exactly, and that it follows the servers' counters.</summary>
public sealed partial class MetricsTests
{
    [GeneratedRegex("""^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$""")]
    private static partial Regex HelpLine();

    [GeneratedRegex("""^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|untyped|summary|histogram)$""")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (?<value>[-+]?[0-9.eE+-]+|NaN|[+-]Inf)$""")]
    private static partial Regex SampleLine();

    /// <summary>Every line is a HELP, a TYPE or a sample of the family just typed; the text ends with a newline.</summary>
    internal static Dictionary<string, double> ParseExposition(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        string? family = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.Matches(HelpLine(), line);
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.Matches(TypeLine(), line);
                family = line.Split(' ')[2];
                Assert.True(typed.Add(family), $"family {family} typed twice");
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a valid sample line: '{line}'");
            Assert.Equal(family, match.Groups["name"].Value);
            var key = line[..line.LastIndexOf(' ')];
            Assert.True(samples.TryAdd(key, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)), $"duplicate series {key}");
        }

        return samples;
    }

    [Fact]
    public void The_format_is_exactly_the_text_exposition_format()
    {
        var w = new PrometheusWriter()
            .Family("nf_test_total", "counter", "A help text with a \\ backslash\nand a newline.")
            .Sample(3, ("route", "/boot/{file}"), ("code", "2xx"))
            .Sample(0, ("route", "quote \" back \\ nl \n"))
            .Family("nf_gauge", "gauge", "A gauge.")
            .Sample(1.5)
            .Sample(double.NaN, ("k", "v"));
        const string Expected = "# HELP nf_test_total A help text with a \\\\ backslash\\nand a newline.\n"
            + "# TYPE nf_test_total counter\n"
            + "nf_test_total{route=\"/boot/{file}\",code=\"2xx\"} 3\n"
            + "nf_test_total{route=\"quote \\\" back \\\\ nl \\n\"} 0\n"
            + "# HELP nf_gauge A gauge.\n"
            + "# TYPE nf_gauge gauge\n"
            + "nf_gauge 1.5\n"
            + "nf_gauge{k=\"v\"} NaN\n";
        Assert.Equal(Expected, w.ToString());
        ParseExposition(w.ToString());
        Assert.Throws<InvalidOperationException>(() => w.Family("nf_gauge", "gauge", "again"));
        Assert.Throws<ArgumentException>(() => w.Family("9bad", "gauge", "x"));
        Assert.Throws<ArgumentException>(() => w.Family("nf_x", "gauge", "x").Sample(1, ("__reserved", "x")));
    }

    [Fact]
    public void The_registry_renders_every_server_as_golden_text()
    {
        var dhcp = new DhcpServerCounters();
        dhcp.Count(LeaseEventKind.Offered, FirmwareKind.Bios);
        dhcp.Count(LeaseEventKind.Offered, FirmwareKind.EfiX64);
        dhcp.Count(LeaseEventKind.Offered, FirmwareKind.EfiX64);
        dhcp.Count(LeaseEventKind.Granted, FirmwareKind.EfiX64);
        dhcp.Count(LeaseEventKind.Renewed, FirmwareKind.EfiX64Http);
        dhcp.Count(LeaseEventKind.Refused, FirmwareKind.Bios);
        dhcp.CountReceived();
        PoolUsage[] pools = [new("lab", 50, 3, 1, 0), new("lab-pxe", 50, 7, 2, 1)];
        var tftp = new TftpServerCounters();
        tftp.SetGauges(2, 5);
        tftp.Count(TransferEventKind.Completed);
        tftp.Count(TransferEventKind.Failed);
        var http = new HttpServerCounters();
        http.CountRequest(200, 1000, "/boot/{file}");
        http.CountRequest(200, 24, "/boot/{file}");
        http.CountRequest(404, 14, "static");
        http.CountRequest(500, 26, "/nocloud/{mac}/{file}");
        http.UsePacing(() => new HttpPacingState(40, 112_000_000, 111_500_000, 6_250_000, 1.035));
        var installed = new InstalledNodeStore();
        installed.MarkInstalled(System.Net.NetworkInformation.PhysicalAddress.Parse("52-54-00-00-00-01"), "node01", disarm: true, DateTimeOffset.UnixEpoch);

        var timeline = new BootTimeline();
        Boot(timeline, "52-54-00-00-00-01", "192.0.2.11", BootStage.Installed);
        Boot(timeline, "52-54-00-00-00-02", "192.0.2.12", BootStage.NbpFetched);

        var text = new MetricsRegistry().AddDhcp(dhcp, () => pools).AddTftp(tftp).AddHttp(http).AddInstalled(installed).AddTimeline(timeline).Render();
        ParseExposition(text);
        if (Environment.GetEnvironmentVariable("NF_WRITE_METRICS_GOLDEN") is { Length: > 0 } folder)
        {
            // Regenerate after an intended change: NF_WRITE_METRICS_GOLDEN=tests/NodeFoundry.Engine.Tests/Routes, then review the diff.
            File.WriteAllText(Path.Combine(folder, "metrics.golden.txt"), text);
        }

        var golden = Path.Combine(AppContext.BaseDirectory, "Routes", "metrics.golden.txt");
        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Nodes_by_stage_follow_each_nodes_latest_stage_and_list_every_stage()
    {
        var timeline = new BootTimeline();
        var registry = new MetricsRegistry().AddTimeline(timeline);
        var empty = ParseExposition(registry.Render());
        Assert.All(Enum.GetValues<BootStage>(), stage => Assert.Equal(0, empty[Series(stage)]));

        // Three nodes booted to different stages, then one moves on, one starts a new attempt, one stays.
        Boot(timeline, "52-54-00-00-00-01", "192.0.2.11", BootStage.Installed);
        Boot(timeline, "52-54-00-00-00-02", "192.0.2.12", BootStage.Kernel);
        Boot(timeline, "52-54-00-00-00-03", "192.0.2.13", BootStage.Bound);
        var samples = ParseExposition(registry.Render());
        Assert.Equal(1, samples[Series(BootStage.Installed)]);
        Assert.Equal(1, samples[Series(BootStage.Kernel)]);
        Assert.Equal(1, samples[Series(BootStage.Bound)]);
        Assert.Equal(3, Enum.GetValues<BootStage>().Sum(stage => samples[Series(stage)]));

        Boot(timeline, "52-54-00-00-00-02", "192.0.2.12", BootStage.Installed, second: 100);
        Boot(timeline, "52-54-00-00-00-01", "192.0.2.11", BootStage.Offered, second: 200); // reinstalled: a new attempt
        samples = ParseExposition(registry.Render());
        Assert.Equal(1, samples[Series(BootStage.Installed)]);
        Assert.Equal(0, samples[Series(BootStage.Kernel)]);
        Assert.Equal(1, samples[Series(BootStage.Bound)]);
        Assert.Equal(1, samples[Series(BootStage.Offered)]);
        Assert.Equal(3, Enum.GetValues<BootStage>().Sum(stage => samples[Series(stage)]));

        // Two timelines (two stacks in one process) are summed; the registry agrees with the timeline's own count.
        var other = new BootTimeline();
        Boot(other, "52-54-00-00-00-09", "192.0.2.19", BootStage.Installed);
        samples = ParseExposition(registry.AddTimeline(other).Render());
        Assert.Equal(2, samples[Series(BootStage.Installed)]);
        Assert.Equal(timeline.CountByStage()[BootStage.Offered], (int)samples[Series(BootStage.Offered)]);

        static string Series(BootStage stage) => $"nodefoundry_nodes_by_stage{{stage=\"{stage}\"}}";
    }

    /// <summary>
    /// Walks one node through the boot path up to <paramref name="until"/> with the events the engines publish:
    /// firmware DHCP, the NBP over TFTP, iPXE's DHCP, script, kernel, initrd, answer file, phone-home.
    /// </summary>
    private static void Boot(BootTimeline timeline, string mac, string ip, BootStage until, int second = 0)
    {
        var node = System.Net.NetworkInformation.PhysicalAddress.Parse(mac);
        var address = System.Net.IPAddress.Parse(ip);
        var text = NodeFoundry.Fleet.MacAddressText.Format(node);
        var at = DateTimeOffset.UnixEpoch.AddSeconds(second);
        var steps = new (BootStage Stage, NodeFoundry.Events.BootEvent Event)[]
        {
            (BootStage.Offered, new LeaseEvent { Kind = LeaseEventKind.Offered, MacAddress = node, Address = address, Firmware = FirmwareKind.Bios, Timestamp = at }),
            (BootStage.Bound, new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = node, Address = address, Firmware = FirmwareKind.Bios, Timestamp = at.AddSeconds(1) }),
            (BootStage.NbpFetched, new TransferEvent { Kind = TransferEventKind.Completed, Client = new System.Net.IPEndPoint(address, 2070), IPAddress = address, FileName = "undionly.kpxe", Timestamp = at.AddSeconds(2) }),
            (BootStage.IpxeDhcp, new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = node, Address = address, IsIpxe = true, Timestamp = at.AddSeconds(3) }),
            (BootStage.ScriptFetched, Get($"/boot/{text}.ipxe", address, at.AddSeconds(4))),
            (BootStage.Kernel, Get("/ubuntu-24.04/casper/vmlinuz", address, at.AddSeconds(5))),
            (BootStage.Initrd, Get("/ubuntu-24.04/casper/initrd", address, at.AddSeconds(6))),
            (BootStage.AnswerFile, Get($"/nocloud/{text}/user-data", address, at.AddSeconds(7))),
            (BootStage.Installed, new HttpRequestEvent { Method = "POST", Path = $"/phone-home/{text}", StatusCode = 200, IPAddress = address, Timestamp = at.AddSeconds(8) }),
        };
        foreach (var (stage, bootEvent) in steps.Where(s => s.Stage <= until))
        {
            timeline.Publish(bootEvent);
        }

        Assert.Equal(until, timeline.Get(node)?.Stage);

        static HttpRequestEvent Get(string path, System.Net.IPAddress address, DateTimeOffset at) =>
            new() { Method = "GET", Path = path, StatusCode = 200, IPAddress = address, Timestamp = at };
    }

    [Fact]
    public async Task Metrics_over_http_parse_and_follow_the_traffic()
    {
        await using var lab = await LabRouteFleet.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, lab.Get("/boot/52:54:00:00:00:01.ipxe").Status);
        }

        Assert.Equal(404, lab.Get("/nope.bin").Status);
        Assert.Equal(200, lab.Post("/phone-home/52:54:00:00:00:03", string.Empty).Status);
        await lab.Server.WaitForEventsAsync(5);

        var response = lab.Get("/metrics");
        Assert.Equal(200, response.Status);
        Assert.Equal(PrometheusWriter.ContentType, response.Header("Content-Type"));
        var samples = ParseExposition(response.Text);
        Assert.Equal(3, samples["nodefoundry_http_requests_total{route=\"/boot/{file}\",code=\"2xx\"}"]);
        Assert.Equal(1, samples["nodefoundry_http_requests_total{route=\"static\",code=\"4xx\"}"]);
        Assert.Equal(1, samples["nodefoundry_http_requests_total{route=\"/phone-home/{mac}\",code=\"2xx\"}"]);
        Assert.True(samples["nodefoundry_http_response_bytes_total{route=\"/boot/{file}\"}"] > 300);
        Assert.Equal(1, samples["nodefoundry_nodes_installed"]);
        Assert.Equal(1, samples["nodefoundry_phone_home_total"]);
        Assert.True(samples["nodefoundry_http_connections_active"] >= 1); // this request's own connection, at least
    }
}
