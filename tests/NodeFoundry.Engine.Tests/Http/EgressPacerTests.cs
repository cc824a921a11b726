using System.Net;
using System.Net.Sockets;
using NodeFoundry.Http;
using NodeFoundry.Net;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// The pacer's budget on real loopback sockets, stepped by hand (its timer never fires on its own here): the sum of
/// the applied rates stays inside what the link budget leaves, arrivals between ticks included, and what TFTP sends is
/// taken out of it first. Linux only (no per-socket pacing elsewhere). Rates are read back from the pacer's own
/// bookkeeping and from the kernel (SO_MAX_PACING_RATE); nothing is timed.
/// </summary>
public sealed class EgressPacerTests : IDisposable
{
    private const long Link = 125_000_000; // 1 Gbit/s on the wire
    private static readonly long Payload = WireOverhead.TcpPayloadFor(Link);

    private readonly SteppedTime _time = new();
    private readonly FakeMeter _tftp = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Socket> _servers = [];
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public EgressPacerTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
    }

    [Fact]
    public async Task Arrivals_between_ticks_start_at_half_their_share_and_the_first_comes_down_a_quarter_at_a_time()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var paced = new List<PacedSocket>();
        for (var i = 0; i < 20; i++)
        {
            paced.Add(pacer.Begin(await ConnectedSocketAsync()));
        }

        // The first took the whole budget; each later one came before any recomputation and got half of its share
        // at the time (the budget over the downloads counted so far), not the 16 KB/s that stalls a socket.
        Assert.Equal(Payload, paced[0].AppliedRate);
        for (var i = 1; i < paced.Count; i++)
        {
            Assert.Equal((long)(Payload / (i + 1) * EgressPacer.ArrivalFloor), paced[i].AppliedRate);
        }

        // One recomputation: the first is cut to a quarter, not to its 20th at once; the sum is still over the budget.
        pacer.Rebalance();
        var share = Payload / 20;
        Assert.Equal(Payload / EgressPacer.MaximumCut, paced[0].AppliedRate);
        Assert.True(pacer.AppliedSum > Payload);

        // Two more and every rate is at its share, inside the budget; the kernel carries what the pacer says.
        pacer.Rebalance();
        pacer.Rebalance();
        Assert.All(paced, p => Assert.InRange(p.AppliedRate, share * (1 - EgressPacer.UnderTolerance), share));
        Assert.InRange(pacer.AppliedSum, 0, Payload);
        Assert.Equal((ulong)paced[0].AppliedRate, EgressPacingTests.PacingRate(_servers[0]));
    }

    [Fact]
    public async Task What_tftp_sends_is_taken_out_of_the_budget_and_returned_by_halves()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var paced = new List<PacedSocket>();
        for (var i = 0; i < 4; i++)
        {
            paced.Add(pacer.Begin(await ConnectedSocketAsync()));
        }

        Step(pacer);
        Assert.Equal(0, pacer.Reserved);

        // 2.5 MB of TFTP frames in one 100 ms period: 25 MB/s (200 Mbit/s) reserved.
        _tftp.Bytes += 2_500_000;
        Step(pacer);
        Assert.Equal(25_000_000, pacer.Reserved);
        var budget = WireOverhead.TcpPayloadFor(Link - 25_000_000);
        Assert.Equal(budget, pacer.BulkBudget);
        Assert.All(paced, p => Assert.InRange(p.AppliedRate, 0, budget / 4));
        Assert.InRange(pacer.AppliedSum, 0, budget);

        // TFTP went quiet: the room comes back by halves, and the downloads are raised into it.
        Step(pacer);
        Assert.Equal(12_500_000, pacer.Reserved);
        Step(pacer);
        Assert.Equal(6_250_000, pacer.Reserved);
        var later = WireOverhead.TcpPayloadFor(Link - 6_250_000);
        Assert.All(paced, p => Assert.InRange(p.AppliedRate, later / 4 * (1 - EgressPacer.UnderTolerance), later / 4));
    }

    [Fact]
    public async Task A_tftp_flood_leaves_the_downloads_half_the_link()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var paced = pacer.Begin(await ConnectedSocketAsync());
        _tftp.Bytes += 50_000_000; // 500 MB/s in one period: more than the link itself
        Step(pacer);
        Assert.Equal(WireOverhead.TcpPayloadFor(Link / 2), pacer.BulkBudget);
        Assert.Equal(pacer.BulkBudget, paced.AppliedRate);
    }

    [Fact]
    public async Task An_ended_download_gives_its_rate_back()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var first = pacer.Begin(await ConnectedSocketAsync());
        var second = pacer.Begin(await ConnectedSocketAsync());
        Step(pacer);
        Assert.Equal(first.AppliedRate + second.AppliedRate, pacer.AppliedSum);

        pacer.End(first);
        Assert.Equal(second.AppliedRate, pacer.AppliedSum);
        pacer.End(second);
        Assert.Equal(0, pacer.AppliedSum);
        pacer.End(second); // twice: nothing more to give back
        Assert.Equal(0, pacer.AppliedSum);
    }

    [Fact]
    public async Task A_body_still_in_the_send_queue_stays_paced_until_it_has_left()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var server = await ConnectedSocketAsync();
        var client = _sockets[^1];
        var paced = pacer.Begin(server);
        Step(pacer);
        var rate = paced.AppliedRate;

        // Hand the socket more than the client's window takes while the client does not read: like a sendfile that
        // returned with most of the file still queued.
        server.Blocking = false;
        var chunk = new byte[64 << 10];
        long written = 0;
        for (var i = 0; i < 4096; i++)
        {
            var sent = server.Send(chunk, 0, chunk.Length, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            written += sent;
        }

        Assert.True(SocketSendQueue.Unsent(server) > 0);
        pacer.End(paced);
        Step(pacer);
        Assert.Equal(1, pacer.Count);
        Assert.Equal(rate, pacer.AppliedSum);
        Assert.Equal((ulong)rate, EgressPacingTests.PacingRate(server));

        // The client reads it all; once the queue is empty the next tick lets the socket go.
        var buffer = new byte[256 << 10];
        long read = 0;
        for (var i = 0; i < 100_000 && read < written; i++)
        {
            read += await client.ReceiveAsync(buffer, SocketFlags.None);
        }

        Assert.Equal(written, read);
        for (var i = 0; i < 200 && SocketSendQueue.Unsent(server) != 0; i++)
        {
            await Task.Delay(10);
        }

        // Out of the budget; the idle socket keeps its last rate (see PacedSocket) until a new body paces it afresh.
        Step(pacer);
        Assert.Equal(0, pacer.Count);
        Assert.Equal(0, pacer.AppliedSum);
        Assert.Equal((ulong)rate, EgressPacingTests.PacingRate(server));
        var next = pacer.Begin(server);
        Assert.NotSame(paced, next);
        Assert.Equal(1, pacer.Count);
        Assert.Equal(next.AppliedRate, pacer.AppliedSum);
    }

    [Fact]
    public async Task A_new_body_on_a_draining_connection_takes_over_its_pacing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var server = await ConnectedSocketAsync();
        var first = pacer.Begin(server);
        first.StartDraining(); // as End does when the queue is not empty
        var second = pacer.Begin(server);
        Assert.Same(first, second);
        Assert.False(second.Draining);
        Assert.Equal(1, pacer.Count);

        Step(pacer); // active again: not released, whatever its queue holds
        Assert.Equal(1, pacer.Count);
        Assert.Equal(second.AppliedRate, pacer.AppliedSum);
    }

    [Fact]
    public async Task A_closed_connection_leaves_the_budget_at_the_next_tick()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var pacer = CreatePacer();
        var server = await ConnectedSocketAsync();
        var paced = pacer.Begin(server);
        paced.StartDraining();
        server.Dispose();
        Step(pacer);
        Assert.Equal(0, pacer.Count);
        Assert.Equal(0, pacer.AppliedSum);
    }

    [Fact]
    public async Task What_the_interface_really_sent_corrects_the_sum_once_a_second()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var link = new FakeMeter();
        using var pacer = EgressPacer.Create(new HttpServerOptions { EgressBytesPerSecond = Link }, _time, [_tftp], link)!;
        pacer.Begin(await ConnectedSocketAsync());
        var nominal = WireOverhead.TcpPayloadFor(Link);

        // The window the pacer was created in began with nothing paced: it is not measured. Then a second at 95 % of
        // the budget on the wire: the sum is raised by √(1/0.95).
        for (var i = 0; i < 2 * EgressPacer.CorrectionTicks; i++)
        {
            link.Bytes += Link / 10 * 95 / 100;
            Step(pacer);
        }

        Assert.Equal(Math.Sqrt(1 / 0.95), pacer.Correction, 3);
        Step(pacer);
        Assert.Equal((long)(nominal * pacer.Correction), pacer.BulkBudget);

        // Seconds far under the budget (slow clients) raise it no further than +10 %.
        for (var i = 0; i < 5 * EgressPacer.CorrectionTicks; i++)
        {
            link.Bytes += Link / 20;
            Step(pacer);
        }

        Assert.Equal(EgressPacer.MaximumCorrection, pacer.Correction, 6);
    }

    [Fact]
    public async Task An_idle_link_says_nothing_and_an_idle_pacer_starts_from_the_nominal_sum()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var link = new FakeMeter();
        using var pacer = EgressPacer.Create(new HttpServerOptions { EgressBytesPerSecond = Link }, _time, [], link)!;
        for (var i = 0; i < EgressPacer.CorrectionTicks; i++)
        {
            Step(pacer); // nothing paced, nothing sent
        }

        Assert.Equal(1.0, pacer.Correction);

        var paced = pacer.Begin(await ConnectedSocketAsync());
        for (var i = 0; i < 2 * EgressPacer.CorrectionTicks; i++)
        {
            link.Bytes += Link / 20;
            Step(pacer);
        }

        Assert.True(pacer.Correction > 1.0);
        pacer.End(paced);
        for (var i = 0; i < EgressPacer.CorrectionTicks; i++)
        {
            Step(pacer);
        }

        Assert.Equal(1.0, pacer.Correction);
    }

    public void Dispose()
    {
        foreach (var socket in _sockets.Concat(_servers))
        {
            socket.Dispose();
        }

        _listener.Dispose();
    }

    private EgressPacer CreatePacer() =>
        EgressPacer.Create(new HttpServerOptions { EgressBytesPerSecond = Link }, _time, [_tftp])!;

    private void Step(EgressPacer pacer)
    {
        _time.Advance(EgressPacer.Period);
        pacer.Tick();
    }

    /// <summary>The server end of a fresh loopback connection (the pacer paces server sockets).</summary>
    private async Task<Socket> ConnectedSocketAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(client);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        var server = await _listener.AcceptAsync();
        _servers.Add(server);
        return server;
    }

    private sealed class FakeMeter : IEgressMeter
    {
        public long Bytes { get; set; }

        public long WireBytesSent => Bytes;
    }

    /// <summary>A clock moved by hand whose timers never fire: the test calls <see cref="EgressPacer.Tick"/> itself.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
