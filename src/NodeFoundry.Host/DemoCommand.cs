using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Probe;

namespace NodeFoundry.Host;

/// <summary>
/// The embedded default: the example lab served on loopback only, and a BIOS, a UEFI and a UEFI HTTP Boot
/// client (plus an unknown PXE client) walked through firmware DHCP and iPXE's second DHCP. Every answer is
/// checked against what the fleet file says it must be; the exit code says whether all were right.
/// Touches no real network: server and clients bind 127.0.0.1.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        _ = options;
        var state = Directory.CreateTempSubdirectory("nodefoundry-demo-");
        try
        {
            var loaded = FleetLoader.Parse(FleetFiles.EmbeddedLabYaml(), "lab.yaml (embedded)", state.FullName);
            if (!loaded.IsValid)
            {
                throw new InvalidOperationException($"the embedded example fleet is invalid:\n  {string.Join("\n  ", loaded.Errors)}");
            }

            var fleet = loaded.Fleet!;
            using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0));
            var server = new DhcpServer(fleet, new DhcpServerOptions
            {
                ListenAddress = IPAddress.Loopback,
                Port = 0,
                RelayPort = probe.LocalEndPoint.Port,
                JournalPath = Path.Combine(state.FullName, "leases.journal"),
            });
            var events = new BoundedEventChannel();
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var run = server.RunAsync(events, cancel.Token);
            await server.WhenListening.ConfigureAwait(false);
            await output.WriteLineAsync($"NodeFoundry demo: fleet '{loaded.Fleet!.SourcePath ?? "lab.yaml"}' served by {server.Name} (loopback only)").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);

            probe.Server = server.LocalEndPoint!;
            var failures = 0;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{"client",-26} {"stage",-13} {"address",-14} {"next-server",-12} {"opt 60",-11} boot file")).ConfigureAwait(false);
            foreach (var walk in Walks(fleet))
            {
                foreach (var (stage, request) in walk.Stages)
                {
                    var result = probe.Probe(request);
                    var expected = Expect(fleet, walk.Node, request);
                    var problems = Compare(result, expected);
                    failures += problems.Count == 0 ? 0 : 1;
                    await output.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{walk.Label,-26} {stage,-13} {result.Ack?.YourAddress?.ToString() ?? result.OfferedAddress?.ToString() ?? "-",-14} {result.NextServer?.ToString() ?? "-",-12} {result.VendorClass ?? "-",-11} {result.BootFile ?? "-"}  {(problems.Count == 0 ? "ok" : "WRONG: " + string.Join("; ", problems))}")).ConfigureAwait(false);
                }
            }

            await cancel.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync(failures == 0
                ? $"demo passed: every client got the loader, address and script the fleet file prescribes ({server.Counters.Offers} offers, {server.Counters.Acks} acks, {server.Counters.JournalFlushes} journal flushes)"
                : $"demo FAILED: {failures} answer(s) differ from the fleet file").ConfigureAwait(false);
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    private sealed record Walk(string Label, FleetNode? Node, IReadOnlyList<(string Stage, DhcpProbeRequest Request)> Stages);

    private static IEnumerable<Walk> Walks(FleetConfig fleet)
    {
        var firmware = new (ushort Arch, string Label)[] { (0, "BIOS"), (7, "UEFI x64"), (16, "UEFI HTTP Boot") };
        for (var i = 0; i < firmware.Length && i < fleet.Nodes.Count; i++)
        {
            var node = fleet.Nodes[i];
            var (arch, label) = firmware[i];
            yield return new Walk($"{node.Name} ({label})", node, [
                ("firmware DHCP", new DhcpProbeRequest(node.MacAddress, arch) { CompleteLease = true }),
                ("iPXE DHCP", new DhcpProbeRequest(node.MacAddress, arch == 16 ? (ushort)7 : arch, Ipxe: true) { CompleteLease = true }),
            ]);
        }

        var stranger = PhysicalAddress.Parse("52-54-00-00-00-99");
        yield return new Walk("unknown (UEFI x64, arch 9)", null, [
            ("firmware DHCP", new DhcpProbeRequest(stranger, 9) { CompleteLease = true }),
        ]);
    }

    private sealed record Expectation(IPAddress? ExactAddress, AddressRange? Range, string BootFile, string VendorClass, IPAddress NextServer);

    /// <summary>What the fleet file says this client must get, derived from the file, not from the policy code.</summary>
    private static Expectation Expect(FleetConfig fleet, FleetNode? node, DhcpProbeRequest request)
    {
        var scope = fleet.Dhcp.Scopes[0];
        var kind = ClientArchitecture.ToFirmwareKind(request.Architecture ?? 0);
        var http = request.Architecture is 16;
        var mac = string.Join(':', request.MacAddress.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var bootFile = request.Ipxe
            ? fleet.Boot.IpxeScriptUrl.Replace("{http}", fleet.Boot.HttpBaseUrl, StringComparison.Ordinal).Replace("{mac}", mac, StringComparison.Ordinal)
            : fleet.Boot.Loaders[kind].Replace("{http}", fleet.Boot.HttpBaseUrl, StringComparison.Ordinal);
        return new Expectation(node?.Address, node?.Address is null ? scope.PxeRange : null, bootFile, http ? "HTTPClient" : "PXEClient", fleet.Server.Address);
    }

    private static List<string> Compare(DhcpProbeResult result, Expectation expected)
    {
        var problems = new List<string>();
        if (result.Failure is not null)
        {
            problems.Add(result.Failure);
            return problems;
        }

        var address = result.Ack?.YourAddress;
        if (expected.ExactAddress is not null && !expected.ExactAddress.Equals(address))
        {
            problems.Add($"address {address}, expected reservation {expected.ExactAddress}");
        }

        if (expected.Range is not null && (address is null || !expected.Range.Contains(address)))
        {
            problems.Add($"address {address}, expected one from the PXE range {expected.Range.Start}-{expected.Range.End}");
        }

        if (result.BootFile != expected.BootFile)
        {
            problems.Add($"boot file '{result.BootFile}', expected '{expected.BootFile}'");
        }

        if (result.VendorClass != expected.VendorClass)
        {
            problems.Add($"option 60 '{result.VendorClass}', expected '{expected.VendorClass}'");
        }

        if (!expected.NextServer.Equals(result.NextServer))
        {
            problems.Add($"next-server {result.NextServer}, expected {expected.NextServer}");
        }

        return problems;
    }
}
