using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// The server over real sockets on 127.0.0.1 only. No timing assertions; every wait is bounded. Runs on the
/// receive path the server picks itself (epoll on Linux); <see cref="TftpServerLoopbackPortableTests"/> runs every
/// test again on the portable path (the runtime's asynchronous receives), which other OSes and a failed epoll
/// setup use.
/// </summary>
public class TftpServerLoopbackTests
{
    /// <summary>Force the portable receive path (the derived class); false lets the server choose.</summary>
    protected virtual bool PortableReceive => false;

    private async Task<LoopbackTftpServer> StartServerAsync(Func<TftpServerOptions, TftpServerOptions>? configure = null)
    {
        var host = await LoopbackTftpServer.StartAsync(o => (configure?.Invoke(o) ?? o) with { PortableReceiveOnly = PortableReceive });
        var expected = PortableReceive || !OperatingSystem.IsLinux() ? TftpReceivePath.Portable : TftpReceivePath.Epoll;
        Assert.Equal(expected, host.Server.ReceivePath);
        return host;
    }

    public static TheoryData<int, int> BlockAndWindow()
    {
        var data = new TheoryData<int, int>();
        foreach (var block in new[] { 512, 1432, 1468 })
        {
            foreach (var window in new[] { 1, 4, 8, 16 })
            {
                data.Add(block, window);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BlockAndWindow))]
    public async Task Whole_file_is_byte_identical(int blockSize, int windowSize)
    {
        await using var host = await StartServerAsync();
        // Not a multiple of any block size, plus one exact multiple to exercise the empty final block.
        var odd = host.Root.Write("undionly.kpxe", 300_001);
        var exact = host.Root.Write("exact.bin", blockSize * 37, seed: 2);
        using var client = host.Client();
        Assert.Equal(odd, await client.DownloadAsync("undionly.kpxe", blockSize, windowSize, tsize: true));
        using var second = host.Client();
        Assert.Equal(exact, await second.DownloadAsync("exact.bin", blockSize, windowSize));
        Assert.Contains(new TftpOption("tsize", "300001"), client.OptionAck!);
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Completed == 2));
    }

    [Fact]
    public async Task Plain_rfc1350_request_without_options_starts_with_data_1()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("pxelinux.0", 1000);
        using var client = host.Client();
        Assert.Equal(bytes, await client.DownloadAsync("pxelinux.0"));
        Assert.Null(client.OptionAck);
        Assert.Equal(1, client.Received[0]);
    }

    [Fact]
    public async Task Leading_slash_is_relative_to_the_root()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("efi/snponly.efi", 5000);
        using var client = host.Client();
        Assert.Equal(bytes, await client.DownloadAsync("/efi/snponly.efi", 1432, 4, tsize: true));
    }

    [Fact]
    public async Task Completed_transfer_event_carries_the_record_of_the_transfer()
    {
        await using var host = await StartServerAsync();
        host.Root.Write("undionly.kpxe", 10_000);
        using var client = host.Client();
        await client.DownloadAsync("undionly.kpxe", 1432, 4, tsize: true);
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Completed == 1));
        var done = host.DrainEvents().Single(e => e.Kind == TransferEventKind.Completed);
        Assert.Equal("tftp", done.Source);
        Assert.Equal(client.LocalEndPoint, done.Client);
        Assert.Equal(IPAddress.Loopback, done.IPAddress);
        Assert.Null(done.MacAddress);
        Assert.Equal("undionly.kpxe", done.FileName);
        Assert.Equal(10_000, done.BytesTransferred);
        Assert.Equal(10_000, done.FileSize);
        Assert.Equal(1432, done.BlockSize);
        Assert.Equal(4, done.WindowSize);
        Assert.True(done.Duration >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Stopped_server_releases_its_port_for_a_restart()
    {
        int port;
        await using (var first = await StartServerAsync())
        {
            port = first.EndPoint.Port;
        }

        await using var second = await StartServerAsync(o => o with { Port = port });
        var bytes = second.Root.Write("nbp", 100);
        using var client = second.Client();
        Assert.Equal(bytes, await client.DownloadAsync("nbp"));
    }

    [Fact]
    public async Task Single_port_mode_serves_from_the_request_port()
    {
        await using var host = await StartServerAsync(o => o with { SinglePort = true });
        var bytes = host.Root.Write("ipxe.efi", 200_000);
        using var client = host.Client();
        Assert.Equal(bytes, await client.DownloadAsync("ipxe.efi", 1468, 8, tsize: true));
        using var other = host.Client();
        Assert.Equal(bytes, await other.DownloadAsync("ipxe.efi", 512, 1));
    }

    [Fact]
    public async Task File_over_32_MiB_at_512_rolls_the_block_number_over()
    {
        await using var host = await StartServerAsync();
        // 65535 blocks of 512 = 32 MiB − 512; this is well past it, so block numbers wrap to 0 and continue.
        var bytes = host.Root.Write("big.img", (40 << 20) + 123);
        using var client = host.Client();
        var got = await client.DownloadAsync("big.img", 512, 16, tsize: true);
        Assert.Equal(bytes.Length, got.Length);
        Assert.True(bytes.AsSpan().SequenceEqual(got));
        Assert.Contains(0, client.Received);
    }

    [Fact]
    public async Task Duplicate_acks_never_cause_duplicate_bursts()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("nbp", 100_000);
        using var client = new TestTftpClient(host.EndPoint) { DuplicateAcks = true };
        Assert.Equal(bytes, await client.DownloadAsync("nbp", 1024, 4));
        // Each block arrived once (a duplicated ACK sent nothing); retransmits from the timer would be the only repeats.
        var repeats = client.Received.Count - client.Received.Distinct().Count();
        Assert.True(repeats <= host.Server.Counters.Retransmits * 4, $"{repeats} repeated blocks with {host.Server.Counters.Retransmits} timer retransmits");
        Assert.True(host.Server.Counters.DuplicateAcks > 0);
    }

    [Fact]
    public async Task Lost_ack_is_recovered_by_retransmission()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("nbp", 20_000);
        using var client = new TestTftpClient(host.EndPoint) { LoseAckForBlock = 8 };
        Assert.Equal(bytes, await client.DownloadAsync("nbp", 512, 4));
        Assert.True(host.Server.Counters.Retransmits >= 1);
    }

    [Fact]
    public async Task Ovmf_tsize_probe_abort_then_download()
    {
        await using var host = await StartServerAsync(o => o with { MaxActiveTransfers = 1 });
        var bytes = host.Root.Write("snponly.efi", 250_000);
        using (var probe = host.Client())
        {
            probe.SendRaw(TestTftpClient.Request("snponly.efi", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4")));
            var (packet, from) = await probe.ReceiveAsync(TimeSpan.FromSeconds(5));
            var oack = Assert.IsType<TftpOptionAckPacket>(packet);
            Assert.Contains(new TftpOption("tsize", "250000"), oack.Options);
            probe.SendRaw(new TftpErrorPacket(TftpErrorCode.OptionNegotiationFailed, "tsize only").ToArray(), from);
        }

        // The abort frees the only slot at once; the download is not queued behind it.
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Aborted == 1));
        using var download = host.Client();
        Assert.Equal(bytes, await download.DownloadAsync("snponly.efi", 1468, 4));
        Assert.Equal(0, host.Server.Counters.Queued);
    }

    [Fact]
    public async Task Resent_rrq_from_the_same_endpoint_maps_to_the_existing_transfer()
    {
        await using var host = await StartServerAsync();
        host.Root.Write("nbp", 10_000);
        using var client = host.Client();
        var request = TestTftpClient.Request("nbp", ("blksize", "512"));
        client.SendRaw(request);
        var (first, from) = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<TftpOptionAckPacket>(first);
        client.SendRaw(request);
        var (second, from2) = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<TftpOptionAckPacket>(second);
        Assert.Equal(from, from2);
        Assert.Equal(1, host.Server.Counters.Started);
        Assert.Equal(1, host.Server.Counters.ResentRequests);
    }

    [Fact]
    public async Task Write_request_is_refused_with_access_violation()
    {
        await using var host = await StartServerAsync();
        using var client = host.Client();
        client.SendRaw(new TftpRequest(true, "upload", TftpTransferMode.Octet).ToArray());
        var (packet, _) = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(TftpErrorCode.AccessViolation, Assert.IsType<TftpErrorPacket>(packet).Code);
    }

    [Fact]
    public async Task Traversal_over_the_wire_gets_access_violation()
    {
        await using var host = await StartServerAsync();
        using var client = host.Client();
        var error = await Assert.ThrowsAsync<TftpClientException>(() => client.DownloadAsync("../../etc/passwd"));
        Assert.Contains("AccessViolation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stranger_writing_to_a_transfer_port_gets_error_5_and_the_transfer_completes()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("nbp", 3000);
        using var client = host.Client();
        var transferPort = await RequestTransferAsync(client, "nbp");
        using (var stranger = host.Client())
        {
            stranger.SendRaw(new TftpAckPacket(0).ToArray(), transferPort);
            var (reply, _) = await stranger.ReceiveAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(TftpErrorCode.UnknownTransferId, Assert.IsType<TftpErrorPacket>(reply).Code);
        }

        client.SendRaw(new TftpAckPacket(0).ToArray(), transferPort);
        var (data, _) = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, Assert.IsType<TftpDataPacket>(data).Block);
    }

    [Fact]
    public async Task Transfer_ended_by_an_error_with_packets_queued_behind_it_leaves_the_server_healthy()
    {
        // The client's ERROR closes the transfer's socket (on Linux: out of the epoll set first) while its ACKs are
        // still queued behind it, possibly in the same turn: none may be handled, none may fault the loop.
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("nbp", 3000);
        using var client = host.Client();
        var transferPort = await RequestTransferAsync(client, "nbp");
        client.SendRaw(new TftpErrorPacket(TftpErrorCode.NotDefined, "abort").ToArray(), transferPort);
        for (var i = 0; i < 20; i++)
        {
            client.SendRaw(new TftpAckPacket(0).ToArray(), transferPort);
        }

        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Aborted == 1));
        using var next = host.Client();
        Assert.Equal(bytes, await next.DownloadAsync("nbp", 512));
        // The server completes on the final ACK, which the client sends after it has its bytes.
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Completed == 1));
        Assert.Equal(0, host.Server.Counters.HandlerFaults);
    }

    [Fact]
    public async Task Missing_file_is_file_not_found()
    {
        await using var host = await StartServerAsync();
        using var client = host.Client();
        var error = await Assert.ThrowsAsync<TftpClientException>(() => client.DownloadAsync("nope.efi"));
        Assert.Contains("FileNotFound", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_hundred_concurrent_clients_all_complete_through_the_queue(bool singlePort)
    {
        await using var host = await StartServerAsync(o => o with { MaxActiveTransfers = 16, MaxQueuedTransfers = 512, SinglePort = singlePort });
        var bytes = host.Root.Write("undionly.kpxe", 80_000);
        // ROM-like: 4 s timeout and no retry at all, so a client left waiting too long in the queue fails the test.
        var clients = Enumerable.Range(0, 200).Select(_ => new TestTftpClient(host.EndPoint) { Retries = 0 }).ToList();
        try
        {
            var results = await Task.WhenAll(clients.Select((c, i) => c.DownloadAsync("undionly.kpxe", i % 2 == 0 ? 1432 : 1468, 1 + (i % 8), tsize: true)))
                .WaitAsync(TimeSpan.FromMinutes(3));
            Assert.All(results, r => Assert.Equal(bytes, r));
            Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Completed == 200));
            Assert.Equal(0, host.Server.Counters.Failed);
            Assert.True(host.Server.Counters.Queued > 0, "the cap of 16 should have queued some of 200 clients");
            Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.ActiveTransfers == 0 && host.Server.Counters.QueuedTransfers == 0));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Lossy_clients_all_complete_through_retransmission_and_window_rollback()
    {
        await using var host = await StartServerAsync();
        var bytes = host.Root.Write("snponly.efi", 120_000);
        var clients = Enumerable.Range(0, 50)
            .Select(i => new TestTftpClient(host.EndPoint) { IncomingLoss = 0.02, LossSeed = i, Retries = 3 })
            .ToList();
        try
        {
            var results = await Task.WhenAll(clients.Select((c, i) => c.DownloadAsync("snponly.efi", 1432, i % 2 == 0 ? 8 : 1, tsize: true)))
                .WaitAsync(TimeSpan.FromMinutes(3));
            Assert.All(results, r => Assert.Equal(bytes, r));
            Assert.True(host.Server.Counters.Retransmits > 0);
            Assert.Equal(0, host.Server.Counters.Failed);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Hot_file_changed_on_disk_is_reloaded()
    {
        await using var host = await StartServerAsync();
        var v1 = host.Root.Write("ipxe.efi", 4000, seed: 1);
        using (var c1 = host.Client())
        {
            Assert.Equal(v1, await c1.DownloadAsync("ipxe.efi", 1432));
        }

        var v2 = host.Root.Write("ipxe.efi", 5000, seed: 2);
        File.SetLastWriteTimeUtc(Path.Combine(host.Root.Path, "ipxe.efi"), DateTime.UtcNow.AddSeconds(5));
        using var c2 = host.Client();
        Assert.Equal(v2, await c2.DownloadAsync("ipxe.efi", 1432));
    }

    [Fact]
    public async Task Missing_root_fails_at_start_with_the_fix()
    {
        using var server = new TftpServer(new TftpServerOptions { ListenAddress = IPAddress.Loopback, Port = 0, Root = Path.Combine(Path.GetTempPath(), "nf-no-such-" + Guid.NewGuid().ToString("N")) });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunAsync(new NodeFoundry.Events.BoundedEventChannel(), CancellationToken.None));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.WhenListening);
    }

    [Fact]
    public void Options_out_of_range_are_rejected_by_name() =>
        Assert.Contains("MaxBlockSize", Assert.Throws<ArgumentException>(() => new TftpServer(new TftpServerOptions { MaxBlockSize = 100 })).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Bind_conflict_fails_with_the_cause()
    {
        await using var host = await StartServerAsync();
        using var root = new TempRoot();
        using var second = new TftpServer(new TftpServerOptions { ListenAddress = IPAddress.Loopback, Port = host.EndPoint.Port, Root = root.Path });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.RunAsync(new NodeFoundry.Events.BoundedEventChannel(), CancellationToken.None));
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Asks for <paramref name="file"/> at blksize 512 and returns the transfer's port, from its OACK.</summary>
    private static async Task<IPEndPoint?> RequestTransferAsync(TestTftpClient client, string file)
    {
        client.SendRaw(TestTftpClient.Request(file, ("blksize", "512")));
        var (oack, transferPort) = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<TftpOptionAckPacket>(oack);
        return transferPort;
    }
}
