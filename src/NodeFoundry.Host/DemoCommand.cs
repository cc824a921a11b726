using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;
using NodeFoundry.Http;
using NodeFoundry.Probe;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Host;

/// <summary>
/// The embedded default: the example lab served on loopback only (DHCP, TFTP and HTTP), and a BIOS, a UEFI
/// and a UEFI HTTP Boot client (plus an unknown PXE client) walked through firmware DHCP, the NBP download
/// (TFTP, or HTTP for UEFI HTTP Boot), iPXE's second DHCP, the per-node script, kernel, initrd, answer
/// files and phone-home. Every answer is checked against what the fleet file says it must be, and the boot
/// timeline must show each node at its last stage; the exit code says whether all were right. Touches no
/// real network: servers and clients use 127.0.0.0/8 (see <see cref="DemoLab"/>).
/// <para>
/// Per-node HTTP routes (script, answer files, phone-home) are served only when the HTTP server has routes
/// mapped. A build without them says so, checks everything up to the kernel and initrd as static files,
/// and expects the timeline to end at Initrd instead of Installed.
/// </para>
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan TimelineSettle = TimeSpan.FromSeconds(5);

    public static Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop) =>
        RunAsync(options, output, stop, mapRoutes: null);

    /// <param name="mapRoutes">
    /// Maps per-node routes onto the demo's HTTP server before it starts. Null (the command line) maps the
    /// product's FleetHttpRoutes; tests may pass their own table.
    /// </param>
    internal static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop, Action<HttpRouteTable, FleetConfig>? mapRoutes)
    {
        _ = options;
        var state = Directory.CreateTempSubdirectory("nodefoundry-demo-");
        try
        {
            var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), state);
            var fleet = lab.Fleet;
            using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0));
            var dhcp = new DhcpServer(fleet, new DhcpServerOptions
            {
                ListenAddress = IPAddress.Loopback,
                Port = 0,
                RelayPort = probe.LocalEndPoint.Port,
                JournalPath = Path.Combine(state.FullName, "leases.journal"),
            });
            using var tftp = new TftpServer(TftpServerOptions.FromFleet(fleet) with { ListenAddress = IPAddress.Loopback, Port = 0, InterfaceName = null, Root = lab.TftpRoot });
            using var http = new HttpBootServer(HttpServerOptions.FromFleet(fleet) with { ListenAddress = IPAddress.Loopback, Root = lab.HttpRoot });
            var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(fleet));
            if (mapRoutes is null)
            {
                // The product's own per-node routes: script, answer files and phone-home, as `serve` maps them.
                new FleetHttpRoutes(fleet, timeline, InstalledNodeStore.Open(fleet.Server.StateDirectory)).MapTo(http.Routes);
            }
            else
            {
                mapRoutes(http.Routes, fleet);
            }
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var runs = new[] { dhcp.RunAsync(timeline, cancel.Token), tftp.RunAsync(timeline, cancel.Token), http.RunAsync(timeline, cancel.Token) };
            int failures;
            try
            {
                await Task.WhenAll(dhcp.WhenListening, tftp.WhenListening, http.WhenListening).ConfigureAwait(false);
                probe.Server = dhcp.LocalEndPoint!;
                var routesServed = http.Routes.Routes.Count > 0;
                await output.WriteLineAsync($"NodeFoundry demo: the embedded lab.yaml on loopback ({fleet.SourcePath}) — dhcp@{dhcp.LocalEndPoint}, {tftp.Name}, {http.Name}").ConfigureAwait(false);
                await output.WriteLineAsync($"  the example lab's 192.0.2.0/24 moved to 127.0.0.0/24, so each client sends from the address DHCP gave it; HTTP base {fleet.Boot.HttpBaseUrl}").ConfigureAwait(false);
                if (!routesServed)
                {
                    await output.WriteLineAsync("  (degraded: this build's HTTP server maps no per-node routes, so the script, answer files and phone-home are not served; checked up to kernel and initrd)").ConfigureAwait(false);
                }

                await output.WriteLineAsync().ConfigureAwait(false);
                var walker = new DemoWalker(fleet, probe, tftp.LocalEndPoint!, timeline, routesServed, output);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{"client",-26} {"step",-14} result")).ConfigureAwait(false);
                var walked = new List<(string Label, PhysicalAddress Mac)>();
                foreach (var (node, arch, label) in Clients(fleet))
                {
                    await walker.WalkAsync(node, arch, label, cancel.Token).ConfigureAwait(false);
                    walked.Add(($"{node.Name} ({label})", node.MacAddress));
                }

                await walker.WalkUnknownAsync(PhysicalAddress.Parse("52-54-00-00-00-99")).ConfigureAwait(false);
                failures = walker.Failures;
                var last = routesServed ? BootStage.Installed : BootStage.Initrd;
                var required = Enumerable.Range((int)BootStage.Offered, (int)last).Select(s => (BootStage)s)
                    .Where(s => routesServed || s != BootStage.ScriptFetched).ToList();
                failures += await PrintTimelineAsync(timeline, walked, last, required, output, cancel.Token).ConfigureAwait(false);
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync(failures == 0
                    ? $"demo passed: every client got the loader, address, files{(routesServed ? ", script and answer files" : string.Empty)} the fleet file prescribes and reached {last} ({dhcp.Counters.Offers} offers, {dhcp.Counters.Acks} acks){(routesServed ? string.Empty : "; per-node routes not checked: this build does not serve them")}"
                    : $"demo FAILED: {failures} check(s) differ from the fleet file").ConfigureAwait(false);
            }
            finally
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(runs).ConfigureAwait(false);
            }

            return failures == 0 ? 0 : 1;
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    /// <summary>The first three nodes of the fleet as a BIOS, a UEFI x64 and a UEFI HTTP Boot client.</summary>
    private static IEnumerable<(FleetNode Node, ushort Arch, string Label)> Clients(FleetConfig fleet)
    {
        var firmware = new (ushort Arch, string Label)[] { (0, "BIOS"), (7, "UEFI x64"), (16, "UEFI HTTP Boot") };
        for (var i = 0; i < firmware.Length && i < fleet.Nodes.Count; i++)
        {
            yield return (fleet.Nodes[i], firmware[i].Arch, firmware[i].Label);
        }
    }

    /// <summary>
    /// Waits for every walked node to reach <paramref name="last"/>, prints each timeline, and returns the
    /// failures: a node must be at <paramref name="last"/> with every one of <paramref name="required"/> seen.
    /// </summary>
    private static async Task<int> PrintTimelineAsync(BootTimeline timeline, List<(string Label, PhysicalAddress Mac)> walked, BootStage last, List<BootStage> required, TextWriter output, CancellationToken cancel)
    {
        var failures = 0;
        string? timeout = null;
        try
        {
            await timeline.WaitForStageAsync(last, walked.Select(w => w.Mac), TimelineSettle, cancel).ConfigureAwait(false);
        }
        catch (BootStageTimeoutException ex)
        {
            timeout = ex.Message;
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("boot timeline (ms after the node's first stage):").ConfigureAwait(false);
        foreach (var (label, mac) in walked)
        {
            var node = timeline.Get(mac);
            var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"  {label,-26}"));
            if (node is not null && node.Reached.Count > 0)
            {
                var first = node.Reached.Values.Min();
                foreach (var (stage, at) in node.Reached.OrderBy(r => r.Key))
                {
                    line.Append(CultureInfo.InvariantCulture, $" {stage} +{(at - first).TotalMilliseconds:0}");
                }
            }

            var stageNow = node?.Stage ?? BootStage.None;
            var missing = required.Where(s => node is null || !node.Reached.ContainsKey(s)).ToList();
            var ok = stageNow == last && missing.Count == 0;
            failures += ok ? 0 : 1;
            line.Append(CultureInfo.InvariantCulture, $"  → {stageNow}  {(ok ? "ok" : $"WRONG: expected {last}{(missing.Count == 0 ? string.Empty : ", never saw " + string.Join(", ", missing))}")}");
            await output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        }

        if (timeout is not null)
        {
            await output.WriteLineAsync($"  {timeout}").ConfigureAwait(false);
        }

        return failures;
    }
}
