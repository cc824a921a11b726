using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
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
/// The servers are the same <see cref="BootStack"/> that <c>serve</c> runs.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan TimelineSettle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        _ = options;
        var state = Directory.CreateTempSubdirectory("nodefoundry-demo-");
        try
        {
            var lab = DemoLab.Create(FleetFiles.EmbeddedLabYaml(), state);
            var fleet = lab.Fleet;
            using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0));

            // The same stack `serve` runs (DHCP, TFTP, HTTP with the per-node routes, one timeline), on loopback:
            // no interface binding, ephemeral DHCP and TFTP ports, DHCP answering the probe's relay port.
            using var stack = new BootStack(fleet, new BootStackOptions
            {
                ListenAddress = IPAddress.Loopback,
                InterfaceName = string.Empty,
                DhcpPort = 0,
                DhcpRelayPort = probe.LocalEndPoint.Port,
                TftpPort = 0,
                JournalPath = Path.Combine(state.FullName, "leases.journal"),
            });
            var timeline = stack.Timeline;
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var run = stack.RunAsync(new BoundedEventChannel(), cancel.Token);
            int failures;
            try
            {
                await stack.WhenListening.ConfigureAwait(false);
                var dhcp = stack.Dhcp!;
                probe.Server = dhcp.LocalEndPoint!;
                await output.WriteLineAsync($"NodeFoundry demo: the embedded lab.yaml on loopback ({fleet.SourcePath}) — {stack.Name}").ConfigureAwait(false);
                await output.WriteLineAsync($"  the example lab's 192.0.2.0/24 moved to 127.0.0.0/24, so each client sends from the address DHCP gave it; HTTP base {fleet.Boot.HttpBaseUrl}").ConfigureAwait(false);
                await output.WriteLineAsync().ConfigureAwait(false);
                var walker = new DemoWalker(fleet, probe, stack.Tftp!.LocalEndPoint!, timeline, output);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{"client",-26} {"step",-14} result")).ConfigureAwait(false);
                var walked = new List<(string Label, PhysicalAddress Mac)>();
                foreach (var (node, arch, label) in Clients(fleet))
                {
                    await walker.WalkAsync(node, arch, label, cancel.Token).ConfigureAwait(false);
                    walked.Add(($"{node.Name} ({label})", node.MacAddress));
                }

                await walker.WalkUnknownAsync(PhysicalAddress.Parse("52-54-00-00-00-99")).ConfigureAwait(false);
                failures = walker.Failures;
                var required = Enumerable.Range((int)BootStage.Offered, (int)BootStage.Installed).Select(s => (BootStage)s).ToList();
                failures += await PrintTimelineAsync(timeline, walked, BootStage.Installed, required, output, cancel.Token).ConfigureAwait(false);
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync(failures == 0
                    ? $"demo passed: every client got the loader, address, files, script and answer files the fleet file prescribes and reached {BootStage.Installed} ({dhcp.Counters.Offers} offers, {dhcp.Counters.Acks} acks)"
                    : $"demo FAILED: {failures} check(s) differ from the fleet file").ConfigureAwait(false);
            }
            finally
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                await run.ConfigureAwait(false);
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
