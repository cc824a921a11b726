using System.Net;
using NodeFoundry.Lab;
using NodeFoundry.Probe;
using Xunit.Abstractions;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// Windowed transfers through the seeded impairment relay: duplicated DATA makes ROM-like clients re-ACK
/// mid-window, and that must not make the server re-send blocks that were in flight and fine.
/// </summary>
public sealed class TftpWindowRelayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Windowed_transfers_at_1_percent_loss_and_duplication_resend_few_blocks()
    {
        const int clients = 30;
        const int fileBytes = 120_000;
        const int blockSize = 1432;
        // A flat 1 s retransmission timer: a loaded test machine stalls for more than the 200 ms floor now and then,
        // and every transfer would re-send a window at once; this test measures the window logic, not the scheduler.
        await using var host = await LoopbackTftpServer.StartAsync(o => o with { MinRetransmitTimeout = TimeSpan.FromSeconds(1), InitialRetransmitTimeout = TimeSpan.FromSeconds(1) });
        var bytes = host.Root.Write("snponly.efi", fileBytes);
        var impairment = UdpImpairment.LossAndDuplication(1, 1);
        await using var relay = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Target = host.EndPoint,
            ClientToServer = impairment,
            ServerToClient = impairment,
            Seed = 7,
        });
        var client = new TftpRomClient(new() { BlockSize = blockSize, WindowSize = 4, KeepContent = true });
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => client.FetchAsync(relay.LocalEndPoint, "snponly.efi")))
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.All(results, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(results, r => Assert.Equal(bytes, r.Content!.Value.ToArray()));
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.Counters.Completed == clients));

        // What the server put on the wire beyond one OACK and one copy of each block per client, seen by the relay
        // (independent of the server's own bookkeeping).
        var blocksPerFile = (fileBytes / blockSize) + 1;
        var needed = clients * (1L + blocksPerFile);
        var relayCounters = relay.Counters;
        var extra = relayCounters.FromServer - needed;
        var counters = host.Server.Counters;
        var overhead = (double)extra / (clients * blocksPerFile);
        output.WriteLine($"server datagrams {relayCounters.FromServer}, needed {needed}, extra {extra} ({overhead:P1}); relay lost {relayCounters.Lost}, duplicated {relayCounters.Duplicated}; server retransmits {counters.Retransmits}, re-sent blocks {counters.ResentBlocks}, duplicate ACKs {counters.DuplicateAcks}");
        Assert.True(relayCounters.Duplicated > 0 && relayCounters.Lost > 0, $"the relay impaired nothing: {relayCounters}");
        // Loss alone costs at most a window per lost DATA or ACK (at most about 2 × 1% × 4 = 8%; 3.8% with this seed).
        // Rolling back on every partial ACK, as the server did before, cost 38.7% here (975 extra datagrams).
        Assert.True(overhead < 0.15, $"the server sent {extra} datagrams beyond the {needed} needed ({overhead:P1} of {clients * blocksPerFile} blocks)");

        // The server's own count agrees, and every re-sent block belongs to a counted retransmission (timer, repeated
        // request or second partial ACK), never to a lone partial or duplicate ACK.
        Assert.True(counters.ResentBlocks <= extra, $"server counted {counters.ResentBlocks} re-sent blocks, the relay saw {extra} extra datagrams");
        Assert.True(counters.ResentBlocks <= 4 * counters.Retransmits, $"{counters.ResentBlocks} re-sent blocks for {counters.Retransmits} retransmissions");
    }
}
