// TFTP side-by-side benchmark: NodeFoundry, dnsmasq and tftpd-hpa, each in its own test-owned namespaces,
// under the same storms of ROM-like clients through the seeded impairment relay. Not a test: it reports.
// Usage (root): bench/tftp/run.sh [--clients 100,500] [--loss 0,1] [--servers nodefoundry,dnsmasq,tftpd-hpa]
//                                 [--file undionly.kpxe] [--seed 2026] [--out docs/performance.md]
//                                 [--throughput-runs 1] [--paths veth,relay]
// Only the windowsize part, five times on the veth: --clients none --ovmf-clients 0 --throughput-runs 5 --paths veth
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeFoundry.Lab;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Infrastructure;
using NodeFoundry.Tests.Tftp;

var arguments = ParseArguments(args);
var clientCounts = List(arguments, "clients", "100,500").Where(s => s != "none").Select(int.Parse).ToArray();
var losses = List(arguments, "loss", "0,1").Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var servers = List(arguments, "servers", "nodefoundry,dnsmasq,tftpd-hpa");
var file = arguments.GetValueOrDefault("file", TftpLab.Small);
var ovmfClients = int.Parse(arguments.GetValueOrDefault("ovmf-clients", "100"), CultureInfo.InvariantCulture);
var seed = int.Parse(arguments.GetValueOrDefault("seed", "2026"), CultureInfo.InvariantCulture);
var output = arguments.GetValueOrDefault("out", "docs/performance.md");
var throughputRuns = int.Parse(arguments.GetValueOrDefault("throughput-runs", "1"), CultureInfo.InvariantCulture);
var paths = List(arguments, "paths", "veth,relay");
if (throughputRuns is < 0 or > 20)
{
    throw new ArgumentException("--throughput-runs must be 0..20");
}
var benchDeadline = Stopwatch.StartNew();
var maxBenchTime = TimeSpan.FromMinutes(40);

Requirements.RequireRoot();
var storms = new List<StormRow>();
var throughput = new List<ThroughputRow>();
var notes = new List<string>();

foreach (var server in servers)
{
    if (benchDeadline.Elapsed > maxBenchTime)
    {
        notes.Add($"{server}: skipped, the bench passed its {maxBenchTime.TotalMinutes} min bound");
        continue;
    }

    Console.WriteLine($"== {server}");
    using var lab = new TftpLab();
    LabProcess process;
    try
    {
        process = StartServer(server, lab);
    }
    catch (InvalidOperationException ex)
    {
        var first = ex.Message.Split('\n')[0];
        Console.WriteLine($"   cannot start: {first}");
        notes.Add($"{server}: did not start ({first})");
        continue;
    }

    using (process)
    {
        // Is TFTP there at all? One ROM fetch, no relay.
        var check = await lab.RomClient().FetchAsync(TftpLab.Server, file);
        if (!check.Succeeded)
        {
            Console.WriteLine($"   no TFTP service: {check}");
            notes.Add($"{server}: started, but a single ROM fetch failed ({check.FailureStage}/{check.FailureCause}: {check.Detail})");
            continue;
        }

        // Throughput first, on a server that has seen no storm yet: one client at blksize 1432, lock-step vs
        // windowsize 8; the 33 MiB file directly over the veth, the 1 MiB one through the relay with 1 ms each way.
        var throughputPaths = new[] { ("veth", TimeSpan.Zero), ("relay +1 ms each way", TimeSpan.FromMilliseconds(1)) }
            .Where(p => paths.Contains(p.Item1.Split(' ')[0]))
            .SelectMany(p => Enumerable.Repeat(p, throughputRuns));
        foreach (var (path, delay) in throughputPaths)
        {
            var big = path == "veth" ? TftpLab.Big : TftpLab.Medium;
            UdpImpairmentRelay? relay = delay > TimeSpan.Zero ? lab.StartRelay(new UdpImpairment { Delay = delay }, seed, TimeSpan.FromMinutes(5)) : null;
            try
            {
                var target = relay?.LocalEndPoint ?? TftpLab.Server;
                var timeout = new TftpRomClientOptions { Deadline = TimeSpan.FromMinutes(5) };
                var lockStep = await lab.RomClient(timeout).FetchAsync(target, big);
                var windowed = await lab.RomClient(timeout with { WindowSize = 8 }).FetchAsync(target, big);
                throughput.Add(new ThroughputRow(server, path, big, lockStep, windowed));
                Console.WriteLine($"   {path}: lock-step {Mbps(lockStep)} Mb/s, window 8 {Mbps(windowed)} Mb/s (granted {windowed.WindowSize})");
                foreach (var failed in new[] { lockStep, windowed }.Where(r => !r.Succeeded))
                {
                    Console.WriteLine($"     {failed}");
                    notes.Add($"{server}, {path}: {failed}");
                }
            }
            finally
            {
                if (relay is not null)
                {
                    await relay.DisposeAsync();
                }
            }
        }

        foreach (var clients in clientCounts)
        {
            foreach (var loss in losses)
            {
                // A fresh lab and server per storm: a peer still busy with the last storm's dead transfers would
                // fail the next one for reasons that are not the next one's.
                using var stormLab = new TftpLab();
                using var stormServer = StartServer(server, stormLab);
                var impairment = UdpImpairment.LossAndDuplication(loss, 0);
                await using var relay = stormLab.StartRelay(impairment, seed, TimeSpan.FromMinutes(5));
                var cpuBefore = ServerCpuSeconds(stormServer.Id);
                var clock = Stopwatch.StartNew();
                var results = await TftpLab.StormAsync(stormLab.RomClient(), relay.LocalEndPoint, file, clients);
                var wall = clock.Elapsed;
                var row = new StormRow(server, "ROM", file, clients, loss, 0, results, wall, relay.Counters, ServerCpuSeconds(stormServer.Id) - cpuBefore);
                storms.Add(row);
                Console.WriteLine("   " + TftpLab.Summarize($"{clients} clients, {loss}% loss", results, wall) + $"; server CPU {CpuText(row)}");
            }
        }


        if (ovmfClients > 0)
        {
            // OVMF: tsize probe, ERROR, second request with blksize 1468 windowsize 4, 1 MiB loader; 1% loss and 1% duplication.
            using var stormLab = new TftpLab();
            using var stormServer = StartServer(server, stormLab);
            await using var relay = stormLab.StartRelay(UdpImpairment.LossAndDuplication(1, 1), seed, TimeSpan.FromMinutes(5));
            var cpuBefore = ServerCpuSeconds(stormServer.Id);
            var clock = Stopwatch.StartNew();
            var results = await TftpLab.StormAsync(stormLab.RomClient(TftpRomClientOptions.Ovmf), relay.LocalEndPoint, TftpLab.Medium, ovmfClients, ovmf: true);
            var wall = clock.Elapsed;
            var row = new StormRow(server, "OVMF", TftpLab.Medium, ovmfClients, 1, 1, results, wall, relay.Counters, ServerCpuSeconds(stormServer.Id) - cpuBefore);
            storms.Add(row);
            Console.WriteLine("   " + TftpLab.Summarize($"{ovmfClients} OVMF-style clients, 1% loss + 1% dup", results, wall) + $"; server CPU {CpuText(row)}");
        }
    }
}

var section = Render(storms, throughput, notes, file, seed);
Console.WriteLine();
Console.WriteLine(section);
WriteSection(output, section);
Console.WriteLine($"wrote the TFTP section of {output}");
return 0;

static LabProcess StartServer(string server, TftpLab lab) => server switch
{
    "nodefoundry" => lab.StartNodeFoundry(),
    "dnsmasq" => lab.StartDnsmasq(),
    "tftpd-hpa" => lab.StartTftpdHpa(),
    _ => throw new ArgumentException($"unknown server '{server}' (nodefoundry, dnsmasq, tftpd-hpa)"),
};

// The server process's user + system CPU (all threads) from /proc/<pid>/stat, in seconds (USER_HZ is 100 on Linux).
// The process is `ip netns exec … dotnet`, which execs, so the pid is the server's. -1 when it cannot be read.
static double ServerCpuSeconds(int pid)
{
    try
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
    catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
    {
        return double.NaN;
    }
}

// Server CPU of one storm, and per DATA block the clients received (delivered + duplicates): the cost of the loop.
static string CpuText(StormRow row)
{
    var blocks = row.Results.Sum(r => Math.Ceiling((r.Bytes + 1) / (double)Math.Max(1, r.BlockSize)) + r.DuplicateBlocks);
    return double.IsNaN(row.ServerCpu) || blocks <= 0
        ? "—"
        : string.Create(CultureInfo.InvariantCulture, $"{row.ServerCpu:F2} s, {row.ServerCpu * 1e6 / blocks:F0} µs/block");
}

static string Mbps(TftpRomResult r) => r.Succeeded ? (r.BytesPerSecond * 8 / 1e6).ToString("F1", CultureInfo.InvariantCulture) : "failed";

static double Slowest(StormRow row) => row.Results.Max(r => r.Duration).TotalSeconds;

static string Turnaround(TftpRomResult r) => r.Succeeded && r.Bytes > 0
    ? (r.Duration.TotalMilliseconds / Math.Ceiling((r.Bytes + 1) / (double)r.BlockSize)).ToString("F3", CultureInfo.InvariantCulture) + " ms"
    : "—";

static string Render(List<StormRow> storms, List<ThroughputRow> throughput, List<string> notes, string file, int seed)
{
    var text = new StringBuilder();
    var inv = CultureInfo.InvariantCulture;
    text.AppendLine("# TFTP");
    text.AppendLine();
    text.AppendLine(inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `bench/tftp/run.sh` on this project's 2-core machine: each server in its own test-owned namespaces (server 192.0.2.1 on a bridge, clients on a veth), one run, side by side, a fresh lab and server for every storm. Clients are the ROM-like client (`NodeFoundry.Probe.TftpRomClient`: tsize + blksize 1432, lock-step, 4 s timeout, 3 request retries, any timeout during the transfer fatal) all started at once, each fetching `{file}` through the seeded impairment relay (seed {seed}; loss and duplication applied to both directions). \"OVMF\" rows are OVMF-style clients (`tsize=0 blksize=1468 windowsize=4`, abort after the OACK with an ERROR, request again) fetching a 1 MiB loader. dnsmasq runs with its defaults (50 concurrent transfers), tftpd-hpa as Debian ships it (`in.tftpd --secure`), NodeFoundry as `nodefoundry serve` of the lab fleet.");
    text.AppendLine();
    text.AppendLine("| server | clients | file | loss / dup | ok | failed (stage/cause × n) | wall (all clients, incl. socket setup) | slowest client | server retransmits seen | max inter-packet gap | server CPU |");
    text.AppendLine("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|");
    foreach (var row in storms)
    {
        var failed = row.Results.Where(r => !r.Succeeded).ToArray();
        var causes = failed.Length == 0 ? "0" : $"{failed.Length} ({string.Join(", ", failed.GroupBy(r => $"{r.FailureStage}/{r.FailureCause}").Select(g => $"{g.Key} × {g.Count()}"))})";
        text.AppendLine(inv, $"| {row.Server} | {row.Clients} {row.Kind} | {row.File} | {row.Loss}% / {row.Duplication}% | {row.Results.Length - failed.Length} | {causes} | {row.Wall.TotalSeconds:F2} s | {row.Results.Max(r => r.Duration).TotalSeconds:F2} s | {row.Results.Sum(r => r.DuplicateBlocks)} | {row.Results.Max(r => r.MaxInterPacketGap).TotalMilliseconds:F0} ms | {CpuText(row)} |");
    }

    text.AppendLine();
    var ratios = storms.Where(s => s.Server != "nodefoundry")
        .Select(peer => (peer, nf: storms.FirstOrDefault(n => n.Server == "nodefoundry" && n.Kind == peer.Kind && n.Clients == peer.Clients && n.Loss == peer.Loss && n.Duplication == peer.Duplication)))
        .Where(p => p.nf is not null)
        .ToArray();
    if (ratios.Length > 0)
    {
        text.AppendLine("NodeFoundry's ratio, peer ÷ NodeFoundry (above 1 = NodeFoundry faster): of the storm's wall time, and of the slowest client's own transfer time (what a ROM waits); failures counted separately:");
        text.AppendLine();
        text.AppendLine("| peer | clients | loss / dup | peer wall | NodeFoundry wall | wall ratio | peer slowest | NodeFoundry slowest | slowest ratio | peer failures | NodeFoundry failures |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (peer, nf) in ratios)
        {
            text.AppendLine(inv, $"| {peer.Server} | {peer.Clients} {peer.Kind} | {peer.Loss}% / {peer.Duplication}% | {peer.Wall.TotalSeconds:F2} s | {nf!.Wall.TotalSeconds:F2} s | {peer.Wall.TotalSeconds / nf.Wall.TotalSeconds:F2} | {Slowest(peer):F2} s | {Slowest(nf):F2} s | {Slowest(peer) / Slowest(nf):F2} | {peer.Results.Count(r => !r.Succeeded)} | {nf.Results.Count(r => !r.Succeeded)} |");
        }

        text.AppendLine();
    }

    if (throughput.Count > 0)
    {
        text.AppendLine("One client, blksize 1432, measured before any storm: lock-step vs windowsize 8 (RFC 7440). `veth` is the lab's direct path; `relay +1 ms each way` sends through the relay with a 1 ms delay per direction (file `ipxe.efi` there, 1 MiB) — the relay's timers make the real turnaround longer than 2 ms, so the table gives the measured lock-step turnaround per block. A server that does not grant windowsize (granted 1) runs lock-step both times.");
        text.AppendLine();
        text.AppendLine("| server | path | file | lock-step (ACK turnaround per block) | windowsize 8 (granted) | ratio | max gap lock-step / window 8 |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (var row in throughput)
        {
            var ratio = row.LockStep.Succeeded && row.Windowed.Succeeded ? (row.Windowed.BytesPerSecond / row.LockStep.BytesPerSecond).ToString("F2", inv) + "×" : "—";
            text.AppendLine(inv, $"| {row.Server} | {row.Path} | {row.File} | {Mbps(row.LockStep)} Mb/s ({Turnaround(row.LockStep)}) | {Mbps(row.Windowed)} Mb/s ({row.Windowed.WindowSize}) | {ratio} | {row.LockStep.MaxInterPacketGap.TotalMilliseconds:F0} / {row.Windowed.MaxInterPacketGap.TotalMilliseconds:F0} ms |");
        }

        text.AppendLine();
    }

    foreach (var note in notes)
    {
        text.AppendLine(inv, $"- {note}");
    }

    if (notes.Count > 0)
    {
        text.AppendLine();
    }

    text.AppendLine("Issue 3's targets, checked against this run:");
    text.AppendLine();
    var nfStorms = storms.Where(r => r.Server == "nodefoundry").ToArray();
    if (nfStorms.Length > 0)
    {
        foreach (var row in storms.Where(r => r.Kind == "ROM" && r.Loss >= 1).GroupBy(r => r.Clients).OrderByDescending(g => g.Key).Take(1).SelectMany(g => g))
        {
            text.AppendLine(inv, $"- {row.Clients} concurrent ROM clients at {row.Loss}% loss, zero failures: {row.Server} {row.Results.Count(r => !r.Succeeded)} failed.");
        }

        var gap = nfStorms.Max(r => r.Results.Max(x => x.MaxInterPacketGap));
        text.AppendLine(inv, $"- No inter-packet gap above 2 s: NodeFoundry's largest in any storm {gap.TotalMilliseconds:F0} ms ({(gap <= TimeSpan.FromSeconds(2) ? "met" : "missed")}).");
    }

    foreach (var row in throughput.Where(t => t.Server == "nodefoundry" && t.LockStep.Succeeded && t.Windowed.Succeeded))
    {
        var ratio = row.Windowed.BytesPerSecond / row.LockStep.BytesPerSecond;
        text.AppendLine(inv, $"- windowsize 8 at least 3.5× lock-step: NodeFoundry {ratio:F2}× on the {row.Path} path ({(ratio >= 3.5 ? "met" : "missed")}; lock-step turnaround {Turnaround(row.LockStep)} per block).");
    }

    foreach (var row in storms.Where(r => r.Kind == "OVMF"))
    {
        var delivered = row.Results.Where(r => r.Succeeded).Sum(r => Math.Ceiling((r.Bytes + 1) / (double)r.BlockSize));
        var dups = row.Results.Sum(r => r.DuplicateBlocks);
        if (delivered > 0 && dups > delivered / 10)
        {
            text.AppendLine(inv, $"- Windowed duplicates ({row.Server}, OVMF rows): {dups} duplicate blocks for {delivered:F0} delivered ({100 * dups / delivered:F0}% extra traffic). The relay duplicates 1% of datagrams; a duplicated ACK, or the client's re-acknowledgement of a duplicated last block (RFC 1350 receiver behaviour), makes the server resend the whole window, whose last block is then acknowledged again — a windowed Sorcerer's Apprentice that runs until a loss breaks it. Issue 3 asks that duplicate ACKs never trigger duplicate bursts.");
        }
    }

    text.AppendLine();
    text.AppendLine("\"Server retransmits seen\" counts DATA blocks a client received more than once. Numbers from one run on a shared 2-core machine, clients and relay in the same process as the measurement: rerun before quoting. Reproduce: `sudo bench/tftp/run.sh` (options: `--clients 100,500 --loss 0,1 --ovmf-clients 100 --servers nodefoundry,dnsmasq,tftpd-hpa --seed 2026 --out docs/performance.md`).");
    return text.ToString();
}

static void WriteSection(string path, string section)
{
    // The TFTP section is a top-level "# TFTP" heading of its own, replaced in place on a rerun (up to the next
    // top-level heading), so other sections of the file (DHCP) are never touched.
    var existing = File.Exists(path) ? File.ReadAllText(path) : "";
    var lines = existing.Split('\n').ToList();
    var start = lines.FindIndex(l => l.TrimEnd() == "# TFTP");
    if (start >= 0)
    {
        var end = lines.FindIndex(start + 1, l => l.StartsWith("# ", StringComparison.Ordinal));
        lines.RemoveRange(start, (end < 0 ? lines.Count : end) - start);
        lines.Insert(start, section.TrimEnd('\n') + (end < 0 ? "" : "\n"));
        existing = string.Join('\n', lines);
    }
    else
    {
        existing = existing.Length == 0 ? section : existing.TrimEnd('\n') + "\n\n" + section;
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    File.WriteAllText(path, existing.TrimEnd('\n') + "\n");
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        map[args[i].TrimStart('-')] = args[i + 1];
    }

    return map;
}

static string[] List(Dictionary<string, string> arguments, string name, string fallback) =>
    arguments.GetValueOrDefault(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

internal sealed record StormRow(string Server, string Kind, string File, int Clients, double Loss, double Duplication, TftpRomResult[] Results, TimeSpan Wall, UdpImpairmentRelayCounters Relay, double ServerCpu);

internal sealed record ThroughputRow(string Server, string Path, string File, TftpRomResult LockStep, TftpRomResult Windowed);
