using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Lab;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// A TFTP lab: the test-owned namespaces (server 192.0.2.1 on the bridge, one client NIC 192.0.2.10), a
/// TFTP root with seeded files, and starters for the servers under test (dnsmasq, tftpd-hpa, NodeFoundry).
/// The root is the fleet file's <c>tftp</c> folder, so `nodefoundry serve` of that fleet serves the same files.
/// </summary>
public sealed class TftpLab : IDisposable
{
    /// <summary>An NBP-sized file (undionly.kpxe is ~70 KB).</summary>
    public const string Small = "undionly.kpxe";

    /// <summary>A UEFI-loader-sized file (ipxe.efi is ~1 MB).</summary>
    public const string Medium = "ipxe.efi";

    /// <summary>Larger than 65535 × 512 bytes: block numbers roll over at blksize 512.</summary>
    public const string Big = "big.img";

    public const string ClientAddress = "192.0.2.10";

    private static readonly Dictionary<string, int> Sizes = new()
    {
        [Small] = 70_001,
        [Medium] = 1_048_577,
        [Big] = (33 << 20) + 777,
    };

    public TftpLab()
    {
        Fleet = new LabFleet();
        try
        {
            Root = Directory.CreateDirectory(Path.Combine(Fleet.Directory.FullName, "tftp"));
            Downloads = Directory.CreateDirectory(Path.Combine(Fleet.Directory.FullName, "downloads"));
            var seed = 1;
            foreach (var (name, size) in Sizes)
            {
                var bytes = new byte[size];
                new Random(seed++).NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(Root.FullName, name), bytes);
                Hashes[name] = Sha256(bytes);
            }

            Network = new NetworkLab();
            ClientInterface = Network.AddClient(TestMacs.Next(), ClientAddress + "/24");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetworkLab Network { get; } = null!;

    public LabFleet Fleet { get; }

    public DirectoryInfo Root { get; } = null!;

    public DirectoryInfo Downloads { get; } = null!;

    public string ClientInterface { get; } = null!;

    public Dictionary<string, string> Hashes { get; } = [];

    public static IPEndPoint Server => new(IPAddress.Parse("192.0.2.1"), 69);

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    public long SizeOf(string name) => Sizes[name];

    /// <summary>A fresh path under the downloads folder for one client run.</summary>
    public string DownloadPath(string tag) => Path.Combine(Downloads.FullName, string.Create(CultureInfo.InvariantCulture, $"{tag}-{Guid.NewGuid():N}"));

    /// <summary>dnsmasq 2.90 as a TFTP-only server (DHCP and DNS off) on the bridge, its defaults otherwise (50 transfers).</summary>
    public LabProcess StartDnsmasq(params string[] extra)
    {
        var dnsmasq = Requirements.RequireTool("dnsmasq", "dnsmasq-base");
        var process = Network.Start(Network.ServerNamespace, dnsmasq,
        [
            "--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null", "--pid-file=", "--user=root",
            "--port=0", "--enable-tftp", $"--tftp-root={Root.FullName}", $"--interface={Network.Bridge}", "--bind-interfaces",
            .. extra,
        ]);
        WaitForPort(process, "dnsmasq");
        return process;
    }

    /// <summary>tftpd-hpa (Debian's in.tftpd) in the foreground on 192.0.2.1:69, confined to the root.</summary>
    public LabProcess StartTftpdHpa(params string[] extra)
    {
        var tftpd = Requirements.RequireTool("in.tftpd", "tftpd-hpa");
        var process = Network.Start(Network.ServerNamespace, tftpd, ["--foreground", "--listen", "--address", "192.0.2.1:69", "--user", "root", "--secure", .. extra, Root.FullName]);
        WaitForPort(process, "in.tftpd");
        return process;
    }

    /// <summary>`nodefoundry serve` of the lab fleet, whose tftpRoot is <see cref="Root"/>.</summary>
    public LabProcess StartNodeFoundry() => NodeFoundryProcess.Serve(Network, Fleet.Path);

    /// <summary>Runs a real client in the client namespace (bounded).</summary>
    public (int ExitCode, string Output, string Error) RunClient(TimeSpan timeout, string tool, params string[] arguments) =>
        Network.Exec(Network.ClientNamespace, timeout, tool, arguments);

    /// <summary>Binds a UDP socket inside the client namespace (for the in-process ROM clients and the relay).</summary>
    public Socket BindInClient(IPEndPoint endpoint) => NamespaceSockets.BindUdp(Network.ClientNamespace, endpoint);

    /// <summary>
    /// A relay inside the client namespace: ROM clients send to its loopback port there, it forwards from
    /// 192.0.2.10 to the server. Bounded by <paramref name="lifetime"/>.
    /// </summary>
    public UdpImpairmentRelay StartRelay(UdpImpairment impairment, int seed, TimeSpan lifetime) => UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Target = Server,
        UpstreamAddress = IPAddress.Parse(ClientAddress),
        ClientToServer = impairment,
        ServerToClient = impairment,
        Seed = seed,
        Lifetime = lifetime,
        MaxMappings = 8192,
        BindSocket = BindInClient,
    });

    /// <summary>A ROM-like client whose sockets live in the client namespace.</summary>
    public TftpRomClient RomClient(TftpRomClientOptions? options = null) =>
        new((options ?? new TftpRomClientOptions()) with { LocalAddress = IPAddress.Any, BindSocket = BindInClient });

    /// <summary>Runs <paramref name="count"/> ROM clients at once (a mass power-on) and collects every result.</summary>
    public static async Task<TftpRomResult[]> StormAsync(TftpRomClient client, IPEndPoint server, string file, int count, bool ovmf = false)
    {
        var tasks = new Task<TftpRomResult>[count];
        for (var i = 0; i < count; i++)
        {
            tasks[i] = ovmf ? client.FetchOvmfStyleAsync(server, file) : client.FetchAsync(server, file);
        }

        return await Task.WhenAll(tasks);
    }

    /// <summary>One line summing a storm: failures by stage and cause, completion time, retransmissions seen, longest gap.</summary>
    public static string Summarize(string label, TftpRomResult[] results, TimeSpan wall)
    {
        var failed = results.Where(r => !r.Succeeded).ToArray();
        var causes = string.Join(", ", failed.GroupBy(r => $"{r.FailureStage}/{r.FailureCause}{(r.ServerError is { } e ? $"/{e}" : "")}").Select(g => $"{g.Key}×{g.Count()}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{label}: {results.Length - failed.Length}/{results.Length} ok, {failed.Length} failed{(failed.Length > 0 ? $" ({causes})" : "")}; wall {wall.TotalSeconds:F2} s; " +
            $"slowest {results.Max(r => r.Duration).TotalSeconds:F2} s; dup blocks {results.Sum(r => r.DuplicateBlocks)}; " +
            $"request retries {results.Sum(r => r.RequestRetransmits)}; max gap {results.Max(r => r.MaxInterPacketGap).TotalMilliseconds:F0} ms");
    }

    private void WaitForPort(LabProcess process, string name)
    {
        // Bound: a server that cannot bind exits; one that can has :69 open within a few seconds.
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited ({process.ExitCode}).\nstdout: {process.StandardOutput}\nstderr: {process.StandardError}");
            }

            var (_, output, _) = Network.Exec(Network.ServerNamespace, TimeSpan.FromSeconds(10), "ss", "-lunH", "sport", "=", ":69");
            if (output.Contains(":69", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"{name} did not open UDP port 69 within 5 s.\nstderr: {process.StandardError}");
    }

    public void Dispose()
    {
        Network?.Dispose();
        Fleet.Dispose();
    }
}
