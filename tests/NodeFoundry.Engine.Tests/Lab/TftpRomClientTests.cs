using System.Net;
using System.Security.Cryptography;
using NodeFoundry.Lab;
using NodeFoundry.Probe;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Lab;

/// <summary>The ROM-like client against a small in-test responder on loopback: what it asks, how it fails.</summary>
public sealed class TftpRomClientTests
{
    private static byte[] File(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    [Fact]
    public async Task Lock_step_fetch_asks_tsize_and_blksize_and_delivers_the_file()
    {
        var file = File(200_000, 1);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["undionly.kpxe"] = file });
        var result = await new TftpRomClient(new() { KeepContent = true }).FetchAsync(server.EndPoint, "undionly.kpxe");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(file, result.Content!.Value.ToArray());
        Assert.Equal(Sha(file), result.Sha256);
        Assert.Equal(file.Length, result.AnnouncedSize);
        Assert.Equal(1432, result.BlockSize);
        Assert.Equal(1, result.WindowSize);
        var request = Assert.Single(server.Requests);
        Assert.Equal(new[] { new TftpOption("tsize", "0"), new TftpOption("blksize", "1432") }, request.Options);
    }

    [Theory]
    [InlineData(1456, 8)]
    [InlineData(1432, 4)]
    public async Task Windowed_fetch_delivers_the_file(int blockSize, int window)
    {
        var file = File(300_001, 2);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = file });
        var result = await new TftpRomClient(new() { BlockSize = blockSize, WindowSize = window }).FetchAsync(server.EndPoint, "f");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(Sha(file), result.Sha256);
        Assert.Equal(window, result.WindowSize);
        Assert.Equal(blockSize, result.BlockSize);
    }

    [Fact]
    public async Task Block_numbers_roll_over_past_65535()
    {
        // blksize 8 rolls over after 512 KiB: the same wrap a 512-byte transfer hits after 32 MiB.
        var file = File(600_000, 3);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["big"] = file });
        var result = await new TftpRomClient(new() { BlockSize = 8, WindowSize = 64 }).FetchAsync(server.EndPoint, "big");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(Sha(file), result.Sha256);
        Assert.True(file.Length / 8 > 65_535);
    }

    [Fact]
    public async Task File_that_is_an_exact_multiple_of_blksize_ends_with_an_empty_block()
    {
        var file = File(1432 * 5, 4);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["even"] = file });
        var result = await new TftpRomClient().FetchAsync(server.EndPoint, "even");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(file.Length, result.Bytes);
    }

    [Fact]
    public async Task Missing_tsize_in_the_OACK_is_fatal_when_required()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = File(5000, 5) }) { OmitTransferSize = true };
        var result = await new TftpRomClient().FetchAsync(server.EndPoint, "f");

        Assert.False(result.Succeeded);
        Assert.Equal(TftpRomStage.Negotiation, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.MissingTransferSize, result.FailureCause);
        await WaitForAsync(() => !server.ErrorsReceived.IsEmpty);
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, Assert.Single(server.ErrorsReceived).Code);
    }

    [Fact]
    public async Task A_server_that_ignores_options_is_read_at_512_bytes_when_tsize_is_not_required()
    {
        var file = File(10_000, 6);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = file }) { IgnoreOptions = true };
        var result = await new TftpRomClient(new() { RequireTransferSize = false }).FetchAsync(server.EndPoint, "f");

        Assert.True(result.Succeeded, result.ToString());
        Assert.False(result.OptionsAcknowledged);
        Assert.Equal(512, result.BlockSize);
        Assert.Equal(Sha(file), result.Sha256);
    }

    [Fact]
    public async Task Data_without_an_OACK_fails_a_rom_that_requires_tsize_and_says_which_block_came_from_where()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = File(10_000, 7) }) { IgnoreOptions = true };
        var result = await new TftpRomClient().FetchAsync(server.EndPoint, "f");

        Assert.False(result.Succeeded);
        Assert.Equal(TftpRomStage.Negotiation, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.MissingTransferSize, result.FailureCause);
        Assert.Matches(@"without an OACK; tsize was required \(block 1, 512 bytes, from port \d+, \d+ ms after the first read request\)", result.Detail);
    }

    [Fact]
    public async Task No_answer_retries_the_request_then_fails_at_the_request_stage()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]>()) { Silent = true };
        var options = new TftpRomClientOptions { Timeout = TimeSpan.FromMilliseconds(150), RequestRetries = 2 };
        var result = await new TftpRomClient(options).FetchAsync(server.EndPoint, "f");

        Assert.Equal(TftpRomStage.Request, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.Timeout, result.FailureCause);
        Assert.Equal(2, result.RequestRetransmits);
        Assert.Equal(3, server.Requests.Count);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Any_timeout_during_the_transfer_is_fatal()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = File(100_000, 7) }) { StallAfterBlocks = 10 };
        var options = new TftpRomClientOptions { Timeout = TimeSpan.FromMilliseconds(600) };
        var result = await new TftpRomClient(options).FetchAsync(server.EndPoint, "f");

        Assert.Equal(TftpRomStage.Transfer, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.Timeout, result.FailureCause);
        Assert.Equal(10 * 1432, result.Bytes);
        Assert.Equal(0, result.AckRetransmits);
    }

    [Fact]
    public async Task Transfer_retries_resend_the_last_ack_when_allowed()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = File(100_000, 8) }) { StallAfterBlocks = 3 };
        var options = new TftpRomClientOptions { Timeout = TimeSpan.FromMilliseconds(300), TransferRetries = 2 };
        var result = await new TftpRomClient(options).FetchAsync(server.EndPoint, "f");

        Assert.Equal(TftpRomFailureCause.Timeout, result.FailureCause);
        Assert.Equal(2, result.AckRetransmits);
    }

    [Fact]
    public async Task Server_error_is_reported_with_its_code()
    {
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]>());
        var result = await new TftpRomClient().FetchAsync(server.EndPoint, "missing.efi");

        Assert.Equal(TftpRomStage.Request, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.ServerError, result.FailureCause);
        Assert.Equal(TftpErrorCode.FileNotFound, result.ServerError);
    }

    [Fact]
    public async Task Ovmf_mode_probes_the_size_aborts_then_downloads_from_a_new_port()
    {
        var file = File(1_000_000, 9);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["snponly.efi"] = file });
        var result = await new TftpRomClient(TftpRomClientOptions.Ovmf).FetchOvmfStyleAsync(server.EndPoint, "snponly.efi");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(Sha(file), result.Sha256);
        Assert.NotNull(result.Probe);
        Assert.Equal(file.Length, result.Probe!.AnnouncedSize);
        Assert.Equal(0, result.Probe.Bytes);
        Assert.Equal(2, server.Requests.Count);
        foreach (var request in server.Requests)
        {
            Assert.Equal(new[] { new TftpOption("tsize", "0"), new TftpOption("blksize", "1468"), new TftpOption("windowsize", "4") }, request.Options);
        }

        await WaitForAsync(() => !server.ErrorsReceived.IsEmpty);
        var abort = Assert.Single(server.ErrorsReceived);
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, abort.Code);
        Assert.Equal(4, result.WindowSize);
    }

    [Fact]
    public async Task Twenty_clients_through_a_lossy_relay_all_succeed_when_the_server_retransmits_fast()
    {
        var file = File(150_000, 10);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = file }) { RetransmitAfter = TimeSpan.FromMilliseconds(200) };
        await using var relay = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Target = server.EndPoint,
            Seed = 42,
            ClientToServer = UdpImpairment.LossAndDuplication(3, 3),
            ServerToClient = UdpImpairment.LossAndDuplication(3, 3),
        });
        var client = new TftpRomClient(new() { Timeout = TimeSpan.FromSeconds(4) });
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.FetchAsync(relay.LocalEndPoint, "f")));

        Assert.All(results, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(results, r => Assert.Equal(Sha(file), r.Sha256));
        var counters = relay.Counters;
        Assert.True(counters.Lost > 0 && counters.Duplicated > 0, $"the relay impaired nothing: {counters}");
        Assert.True(results.Sum(r => r.DuplicateBlocks) > 0);
        // At least one transfer port per client; a duplicated request makes this naive responder open a second
        // transfer, which the client refuses (error 5) while it keeps the first.
        Assert.True(counters.ReplyPortsOpened >= 20);
    }

    [Fact]
    public async Task Windowsize_8_beats_lock_step_when_the_round_trip_is_long()
    {
        // 2 ms each way through the relay: lock-step pays a round trip per block, windowsize 8 one per 8 blocks.
        var file = File(300_000, 11);
        await using var server = new MiniTftpResponder(new Dictionary<string, byte[]> { ["f"] = file });
        var delay = new UdpImpairment { Delay = TimeSpan.FromMilliseconds(2) };
        await using var relay = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Target = server.EndPoint,
            ClientToServer = delay,
            ServerToClient = delay,
        });
        var lockStep = await new TftpRomClient().FetchAsync(relay.LocalEndPoint, "f");
        var windowed = await new TftpRomClient(new() { WindowSize = 8 }).FetchAsync(relay.LocalEndPoint, "f");

        Assert.True(lockStep.Succeeded && windowed.Succeeded, $"{lockStep} / {windowed}");
        Assert.Equal(0, windowed.OutOfOrderBlocks);
        Assert.True(windowed.BytesPerSecond > 3 * lockStep.BytesPerSecond, $"window 8 {windowed.BytesPerSecond:F0} B/s vs lock-step {lockStep.BytesPerSecond:F0} B/s");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}
