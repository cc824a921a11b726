using System.Diagnostics;
using System.Globalization;
using NodeFoundry.Lab;
using NodeFoundry.Probe;
using Xunit.Abstractions;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// Debian's real TFTP clients — tftp-hpa (plain RFC 1350, no options), atftp (options as asked) and curl
/// (tsize + blksize) — fetch files across the lab's veth, byte-identical, including a file larger than
/// 65535 × 512 bytes at blksize 512 (block-number rollover). The same matrix runs against dnsmasq (which
/// proves the harness) and against NodeFoundry.
/// </summary>
public abstract class RealTftpClientTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromMinutes(3);

    protected RealTftpClientTests(TftpServerFixture fixture, ITestOutputHelper output)
    {
        Fixture = fixture;
        Output = output;
    }

    protected TftpServerFixture Fixture { get; }

    protected ITestOutputHelper Output { get; }

    protected TftpLab Lab => Fixture.Lab;

    [Theory]
    [InlineData(TftpLab.Small)]
    [InlineData(TftpLab.Medium)]
    [InlineData(TftpLab.Big)]
    public void Tftp_hpa_fetches_byte_identical(string file)
    {
        var tftp = Infrastructure.Requirements.RequireTool("tftp", "tftp-hpa");
        var local = Lab.DownloadPath("tftp-hpa");
        Fetch("tftp-hpa", file, local, tftp, "-m", "binary", "192.0.2.1", "-c", "get", file, local);
    }

    [Theory]
    [InlineData(TftpLab.Small, 1432)]
    [InlineData(TftpLab.Medium, 1456)]
    [InlineData(TftpLab.Big, 512)]
    public void Atftp_fetches_byte_identical(string file, int blockSize)
    {
        var atftp = Infrastructure.Requirements.RequireTool("atftp", "atftp");
        var local = Lab.DownloadPath("atftp");
        Fetch($"atftp blksize {blockSize}", file, local, atftp, "--get", "-r", file, "-l", local,
            "--option", string.Create(CultureInfo.InvariantCulture, $"blksize {blockSize}"), "--option", "tsize 0", "192.0.2.1");
    }

    [Theory]
    [InlineData(TftpLab.Small, 1468)]
    [InlineData(TftpLab.Medium, 1432)]
    [InlineData(TftpLab.Big, 512)]
    public void Curl_fetches_byte_identical(string file, int blockSize)
    {
        var curl = Infrastructure.Requirements.RequireTool("curl", "curl");
        var local = Lab.DownloadPath("curl");
        Fetch($"curl --tftp-blksize {blockSize}", file, local, curl, "-sS", "--noproxy", "*", "--max-time", "170",
            "--tftp-blksize", blockSize.ToString(CultureInfo.InvariantCulture), "-o", local, $"tftp://192.0.2.1/{file}");
    }

    [Fact]
    public async Task Rom_client_and_ovmf_probe_then_download_succeed()
    {
        var rom = await Lab.RomClient().FetchAsync(TftpLab.Server, TftpLab.Small);
        Output.WriteLine(rom.ToString());
        Assert.True(rom.Succeeded, rom.ToString());
        Assert.Equal(Lab.Hashes[TftpLab.Small], rom.Sha256);
        Assert.Equal(Lab.SizeOf(TftpLab.Small), rom.AnnouncedSize);

        var ovmf = await Lab.RomClient(TftpRomClientOptions.Ovmf).FetchOvmfStyleAsync(TftpLab.Server, TftpLab.Medium);
        Output.WriteLine(ovmf.ToString());
        Assert.True(ovmf.Succeeded, ovmf.ToString());
        Assert.Equal(Lab.Hashes[TftpLab.Medium], ovmf.Sha256);
    }

    /// <summary>Many ROM (or OVMF-style) clients at once through the relay at 1% loss and 1% duplication each way.</summary>
    protected async Task<TftpRomResult[]> StormThroughRelayAsync(int clients, string file, bool ovmf = false)
    {
        using var lab = new TftpLab();
        using var server = Fixture.Start(lab);
        await using var relay = lab.StartRelay(UdpImpairment.LossAndDuplication(1, 1), seed: 2026, lifetime: TimeSpan.FromMinutes(3));
        var client = lab.RomClient(ovmf ? TftpRomClientOptions.Ovmf : null);
        var clock = Stopwatch.StartNew();
        var results = await TftpLab.StormAsync(client, relay.LocalEndPoint, file, clients, ovmf);
        var line = TftpLab.Summarize($"{Fixture.Name}: {clients} {(ovmf ? "OVMF-style" : "ROM")} clients, {file}, 1% loss + 1% dup", results, clock.Elapsed);
        Output.WriteLine(line);
        Output.WriteLine($"relay: {relay.Counters}");
        foreach (var failure in results.Where(r => !r.Succeeded).Take(10))
        {
            Output.WriteLine("  " + failure);
        }

        Assert.Equal(clients, results.Length);
        Assert.True(relay.Counters.Lost > 0 && relay.Counters.Duplicated > 0, "the relay impaired nothing");
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(lab.Hashes[file], r.Sha256));
        ReportFile.Append(line);
        return results;
    }

    private void Fetch(string label, string file, string local, string tool, params string[] arguments)
    {
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = Lab.RunClient(ClientTimeout, tool, arguments);
        var elapsed = clock.Elapsed;
        Assert.True(exit == 0, $"{label} exited {exit} fetching {file} from {Fixture.Name}: {stderr}{stdout}");
        Assert.True(File.Exists(local), $"{label} wrote nothing: {stderr}{stdout}");
        Assert.Equal(Lab.SizeOf(file), new FileInfo(local).Length);
        Assert.Equal(Lab.Hashes[file], TftpLab.Sha256(local));
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Fixture.Name}: {label} {file} ({Lab.SizeOf(file)} bytes) in {elapsed.TotalSeconds:F2} s"));
        File.Delete(local);
    }
}

/// <summary>Where the storm summaries go for a person to read (the test output keeps them too): $TMPDIR/nodefoundry-tftp-lab.txt.</summary>
internal static class ReportFile
{
    private static readonly object Lock = new();

    public static string Path => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nodefoundry-tftp-lab.txt");

    public static void Append(string line)
    {
        lock (Lock)
        {
            File.AppendAllText(Path, $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
        }
    }
}

[Collection(TftpLabCollection.Name)]
public sealed class DnsmasqRealTftpClientTests(DnsmasqTftpFixture fixture, ITestOutputHelper output)
    : RealTftpClientTests(fixture, output), IClassFixture<DnsmasqTftpFixture>
{
    /// <summary>The peer's behaviour under the same storm is reported (test output and the report file), not asserted.</summary>
    [Fact]
    public async Task Storm_of_200_rom_clients_at_1_percent_loss_and_duplication_is_reported()
    {
        var results = await StormThroughRelayAsync(200, TftpLab.Small);
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(Lab.Hashes[TftpLab.Small], r.Sha256));
    }

    [Fact]
    public async Task Storm_of_100_ovmf_style_clients_is_reported()
    {
        var results = await StormThroughRelayAsync(100, TftpLab.Medium, ovmf: true);
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(Lab.Hashes[TftpLab.Medium], r.Sha256));
    }
}

[Collection(TftpLabCollection.Name)]
public sealed class NodeFoundryRealTftpClientTests(NodeFoundryTftpFixture fixture, ITestOutputHelper output)
    : RealTftpClientTests(fixture, output), IClassFixture<NodeFoundryTftpFixture>
{
    [Fact]
    public async Task Storm_of_200_rom_clients_at_1_percent_loss_and_duplication_has_no_fatal_failure()
    {
        var results = await StormThroughRelayAsync(200, TftpLab.Small);
        Assert.All(results, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(results, r => Assert.Equal(Lab.Hashes[TftpLab.Small], r.Sha256));
    }

    /// <summary>OVMF probes (tsize, then ERROR) and downloads again: the abort must free the slot at once, the download must not queue behind it.</summary>
    [Fact]
    public async Task Storm_of_100_ovmf_style_clients_at_1_percent_loss_and_duplication_has_no_fatal_failure()
    {
        var results = await StormThroughRelayAsync(100, TftpLab.Medium, ovmf: true);
        Assert.All(results, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(results, r => Assert.Equal(Lab.Hashes[TftpLab.Medium], r.Sha256));
        Assert.All(results, r => Assert.Equal(4, r.WindowSize));
    }
}
