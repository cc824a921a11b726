using System.Net;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Power;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Lab;

/// <summary>
/// A ROM timeout that fires while the server's packet is already in the client's socket is the client's lateness,
/// not the server's silence: the simulated ROM reads the packet (counted as a late read) instead of failing. A
/// timeout with nothing waiting stays fatal. Fake clock and a scripted socket: nothing here waits on wall time.
/// </summary>
public sealed class TftpRomClientLateReadTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.1"), 69);
    private static readonly IPEndPoint TransferPort = new(IPAddress.Parse("192.0.2.1"), 40_000);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30); // a hang guard, never a timing assertion

    private static (TftpRomClient Client, ScriptedRomSocket Socket, VirtualClock Clock) NewClient()
    {
        // Only timers due at once fire by themselves; the ROM's 4 s timeout fires when the test advances the clock.
        var clock = new VirtualClock { AutoAdvanceLimit = TimeSpan.Zero };
        var socket = new ScriptedRomSocket();
        var client = new TftpRomClient(new TftpRomClientOptions { Time = clock, OpenSocket = _ => socket });
        return (client, socket, clock);
    }

    /// <summary>RRQ → OACK (tsize 100) → ACK 0, then the client waits for block 1.</summary>
    private static async Task NegotiateAsync(ScriptedRomSocket socket)
    {
        var (rrq, to) = await socket.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.True(TftpPacket.TryParse(rrq, out var request, out _));
        Assert.IsType<TftpRequest>(request);
        Assert.Equal(Server, to);
        socket.Deliver(new TftpOptionAckPacket([new TftpOption("tsize", "100"), new TftpOption("blksize", "1432")]).ToArray(), TransferPort);
        var (ack0, _) = await socket.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.True(TftpPacket.TryParse(ack0, out var ack, out _));
        Assert.Equal(0, Assert.IsType<TftpAckPacket>(ack).Block);
        await socket.ReceiveWaiting.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_timeout_with_the_next_block_already_queued_reads_it_and_counts_a_late_read()
    {
        var (client, socket, clock) = NewClient();
        var fetch = client.FetchAsync(Server, "undionly.kpxe");
        await NegotiateAsync(socket);

        // Block 1 (the whole 100-byte file) is in the socket, but the client process does not get to run…
        socket.Arrive(new TftpDataPacket(1, new byte[100]).ToArray(), TransferPort);
        // …until after its 4 s timer has fired.
        clock.Advance(TimeSpan.FromSeconds(4));
        var result = await fetch.WaitAsync(Bound);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(100, result.Bytes);
        Assert.Equal(1, result.LateReads);
        var (ack1, _) = await socket.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.True(TftpPacket.TryParse(ack1, out var ack, out _));
        Assert.Equal(1, Assert.IsType<TftpAckPacket>(ack).Block);
    }

    [Fact]
    public async Task A_timeout_with_nothing_queued_is_still_fatal()
    {
        var (client, socket, clock) = NewClient();
        var fetch = client.FetchAsync(Server, "undionly.kpxe");
        await NegotiateAsync(socket);

        clock.Advance(TimeSpan.FromSeconds(4));
        var result = await fetch.WaitAsync(Bound);

        Assert.False(result.Succeeded);
        Assert.Equal(TftpRomStage.Transfer, result.FailureStage);
        Assert.Equal(TftpRomFailureCause.Timeout, result.FailureCause);
        Assert.Equal(0, result.LateReads);
    }

    [Fact]
    public async Task A_block_delivered_in_time_is_not_a_late_read()
    {
        var (client, socket, _) = NewClient();
        var fetch = client.FetchAsync(Server, "undionly.kpxe");
        await NegotiateAsync(socket);

        socket.Deliver(new TftpDataPacket(1, new byte[100]).ToArray(), TransferPort);
        var result = await fetch.WaitAsync(Bound);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(0, result.LateReads);
    }
}
