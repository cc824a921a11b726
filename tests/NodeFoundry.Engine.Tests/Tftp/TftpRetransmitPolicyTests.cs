using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// The PXE-safe retransmission schedule and admission, pinned on the computed schedule with a fake clock (no
/// sockets, no wall-clock assertions). A ROM waits ~4 s for our next packet and then fails the boot; at a saturated
/// drop-tail queue each copy we send is lost with high probability, so what matters is how many copies land inside
/// the ROM's window, and that the server never gives up while the ROM still listens.
/// </summary>
public sealed class TftpRetransmitPolicyTests : IDisposable
{
    private static readonly IPEndPoint ClientA = new(IPAddress.Parse("192.0.2.10"), 2070);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private readonly TempRoot _root = new();
    private readonly InMemoryTransport _transport = new();
    private readonly ListSink _events = new();
    private readonly TftpServerCounters _counters = new();
    private TftpTransferManager _manager;
    private TimeSpan _now = TimeSpan.FromSeconds(100);

    public TftpRetransmitPolicyTests() => _manager = Build(new TftpServerOptions());

    public void Dispose()
    {
        _manager.Dispose();
        _root.Dispose();
    }

    private TftpTransferManager Build(TftpServerOptions options) =>
        new(options with { Root = _root.Path }, new TftpFileStore(new TftpRootResolver(_root.Path)), _transport, _events, _counters);

    private void Configure(Func<TftpServerOptions, TftpServerOptions> change)
    {
        _manager.Dispose();
        _manager = Build(change(new TftpServerOptions()));
    }

    private void Request(IPEndPoint from, string file, params (string, string)[] options) =>
        _manager.OnRequestPortPacket(from, null, TestTftpClient.Request(file, options), _now);

    private void Ack(IPEndPoint from, int block) =>
        _manager.OnTransferPortPacket(_manager.Find(from)!.Channel.Id, from, new TftpAckPacket((ushort)block).ToArray(), _now);

    /// <summary>Lets the fake clock run with every packet to the client lost; returns each send instant and its copies of <paramref name="block"/>.</summary>
    private List<(TimeSpan At, int Copies)> DropEverything(int block, TimeSpan upTo)
    {
        var sends = new List<(TimeSpan, int)>();
        var end = _now + upTo;
        while (_now < end && _manager.ActiveCount > 0)
        {
            _now += Tick;
            _manager.Tick(_now);
            var copies = _transport.Take().Count(s => s.DataBlock == block || (block == 0 && s.Packet is TftpOptionAckPacket));
            if (copies > 0)
            {
                sends.Add((_now, copies));
            }
        }

        return sends;
    }

    private static readonly (string, string)[] RomOptions = [("tsize", "0"), ("blksize", "1432")];

    [Fact]
    public void Ceiling_is_an_eighth_of_the_client_timeout_and_never_above_the_maximum()
    {
        var options = new TftpServerOptions();
        Assert.Equal(TimeSpan.FromSeconds(4), options.ClientTimeout);
        Assert.Equal(8, options.RetransmitsPerClientTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), TftpTransfer.RetransmitCeiling(options.ClientTimeout, options));
        Assert.Equal(TimeSpan.FromMilliseconds(250), TftpTransfer.RetransmitCeiling(TimeSpan.FromSeconds(2), options));
        Assert.Equal(TimeSpan.FromMilliseconds(125), TftpTransfer.RetransmitCeiling(TimeSpan.FromSeconds(1), options));
        Assert.Equal(options.MaxRetransmitTimeout, TftpTransfer.RetransmitCeiling(TimeSpan.FromSeconds(60), options));
        var four = options with { RetransmitsPerClientTimeout = 4 };
        Assert.Equal(TimeSpan.FromSeconds(1), TftpTransfer.RetransmitCeiling(four.ClientTimeout, four));
    }

    [Theory]
    [InlineData(4, 1000)]
    [InlineData(8, 500)] // the default: a ROM's 4 s ÷ 8
    public void Lock_step_block_lost_again_and_again_is_sent_n_times_inside_the_rom_window_and_not_abandoned_early(int perClientTimeout, int ceilingMs)
    {
        Configure(o => o with { RetransmitsPerClientTimeout = perClientTimeout });
        var ceiling = TimeSpan.FromMilliseconds(ceilingMs);
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        _transport.Take();
        Ack(ClientA, 0); // the ROM's 4 s timer starts here
        var progress = _now;
        Assert.Equal([1], _transport.Take().Select(s => s.DataBlock));
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));

        var instants = new List<TimeSpan> { progress };
        instants.AddRange(sends.Select(s => s.At));
        var gaps = instants.Zip(instants.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, TimeSpan.FromMilliseconds(200), ceiling));
        Assert.True(instants.Count(t => t - progress < TimeSpan.FromSeconds(4)) >= perClientTimeout, string.Join(", ", instants.Select(t => (t - progress).TotalMilliseconds)));

        // Still sending when the ROM's window closes, and failed only after it has: never abandoned while it listens.
        Assert.True(instants[^1] - progress >= TimeSpan.FromSeconds(4) - ceiling);
        var failed = _events.Events[^1];
        Assert.Equal(TransferEventKind.Failed, failed.Kind);
        Assert.True(_now - progress >= TimeSpan.FromSeconds(4));
        Assert.True(_now - progress <= TimeSpan.FromSeconds(4) + (2 * ceiling));
        Assert.Contains("no ACK after", failed.Reason, StringComparison.Ordinal);
        Assert.EndsWith("timer up to 0 ms late", failed.Reason, StringComparison.Ordinal); // the fake clock ticks every 10 ms
    }

    [Theory]
    [InlineData(4, 1000)]
    [InlineData(8, 500)]
    public void Slow_measured_round_trips_never_stretch_an_interval_past_the_rom_budget(int perClientTimeout, int ceilingMs)
    {
        Configure(o => o with { RetransmitsPerClientTimeout = perClientTimeout });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        var transfer = _manager.Find(ClientA)!;
        _now += TimeSpan.FromMilliseconds(1500);
        Ack(ClientA, 0);
        for (var block = 1; block <= 10; block++)
        {
            _now += TimeSpan.FromMilliseconds(1500); // a CPU-starved client or a deep queue: RFC 6298 alone would say 1.5 s and more
            Ack(ClientA, block);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs), transfer.Timer.Current);
        Assert.Equal(_now + TimeSpan.FromMilliseconds(ceilingMs), transfer.Deadline);
    }

    [Fact]
    public void Back_off_stops_at_the_ceiling_however_many_timeouts()
    {
        var timer = new RetransmitTimer(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500));
        var schedule = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            timer.BackOff();
            schedule.Add(timer.Current);
        }

        Assert.Equal([TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500)], schedule.Distinct());
        Assert.Equal(TimeSpan.FromMilliseconds(500), timer.Ceiling);
    }

    [Fact]
    public void Consecutive_timeouts_send_a_lock_step_block_twice()
    {
        Configure(o => o with { DoubleResendAfterTimeouts = 2 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        _transport.Take();
        Ack(ClientA, 0);
        _transport.Take();
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));

        Assert.Equal(1, sends[0].Copies); // one loss may be chance: one copy
        Assert.All(sends.Skip(1), s => Assert.Equal(2, s.Copies)); // it keeps missing: two in a row
        var transfer = _events.Events[^1];
        Assert.Equal(sends.Count, transfer.Retransmits);
        Assert.Equal(sends.Sum(s => s.Copies), transfer.ResentBlocks);
    }

    [Fact]
    public void By_default_a_lock_step_block_is_doubled_from_the_second_timeout()
    {
        // The storm bench's 2,000-node runs at 1% loss (performance.md, run 9): 500 ms ceiling and doubling are the defaults.
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        _transport.Take();
        Ack(ClientA, 0);
        _transport.Take();
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));

        Assert.Equal(1, sends[0].Copies);
        Assert.All(sends.Skip(1), s => Assert.Equal(2, s.Copies));
        Assert.All(sends.Zip(sends.Skip(1), (a, b) => b.At - a.At), gap => Assert.True(gap <= TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Doubled_block_answered_twice_sends_the_next_block_once()
    {
        Configure(o => o with { DoubleResendAfterTimeouts = 2 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        Ack(ClientA, 0);
        _transport.Take();
        DropEverything(1, TimeSpan.FromMilliseconds(1000)); // two timeouts (200 + 400 ms): the second sent DATA 1 twice
        Ack(ClientA, 1);
        Ack(ClientA, 1); // the client re-acknowledges the duplicate copy
        Assert.Equal([2], _transport.Take().Select(s => s.DataBlock));
    }

    [Fact]
    public void Oack_lost_again_and_again_is_doubled_too()
    {
        Configure(o => o with { DoubleResendAfterTimeouts = 2 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        _transport.Take();
        var sends = DropEverything(0, TimeSpan.FromSeconds(2));
        Assert.Equal(1, sends[0].Copies);
        Assert.All(sends.Skip(1), s => Assert.Equal(2, s.Copies));
    }

    [Fact]
    public void Windowed_transfers_never_double_their_resends()
    {
        Configure(o => o with { DoubleResendAfterTimeouts = 2 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4"));
        Ack(ClientA, 0);
        _transport.Take();
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));
        Assert.True(sends.Count >= 4);
        Assert.All(sends, s => Assert.Equal(1, s.Copies));
    }

    [Fact]
    public void Doubling_is_off_when_configured_to_zero()
    {
        Configure(o => o with { DoubleResendAfterTimeouts = 0 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        Ack(ClientA, 0);
        _transport.Take();
        Assert.All(DropEverything(1, TimeSpan.FromSeconds(30)), s => Assert.Equal(1, s.Copies));
    }

    [Fact]
    public void A_client_timeout_option_shrinks_the_interval_and_the_give_up()
    {
        Configure(o => o with { RetransmitsPerClientTimeout = 4 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", ("tsize", "0"), ("blksize", "1432"), ("timeout", "2"));
        var transfer = _manager.Find(ClientA)!;
        Assert.Equal(TimeSpan.FromSeconds(2), transfer.ClientTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), transfer.Timer.Ceiling); // 2 s ÷ 4
        Ack(ClientA, 0);
        var progress = _now;
        _transport.Take();
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));
        Assert.All(sends.Zip(sends.Skip(1), (a, b) => b.At - a.At), gap => Assert.True(gap <= TimeSpan.FromMilliseconds(500)));
        Assert.InRange(_now - progress, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3.5));
    }

    [Fact]
    public void Max_retries_is_a_floor_not_the_give_up()
    {
        Configure(o => o with { MaxRetries = 1 });
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        Ack(ClientA, 0);
        var progress = _now;
        _transport.Take();
        var sends = DropEverything(1, TimeSpan.FromSeconds(30));
        Assert.True(sends.Count >= 4);
        Assert.True(_now - progress >= TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void A_resent_request_restarts_the_give_up_clock()
    {
        _root.Write("nbp", 73_728);
        Request(ClientA, "nbp", RomOptions);
        var started = _now;
        _transport.Take();
        DropEverything(0, TimeSpan.FromSeconds(3.9));
        Request(ClientA, "nbp", RomOptions); // the ROM's request timer ran out: it asks again and waits 4 s more
        var again = _now;
        DropEverything(0, TimeSpan.FromSeconds(30));
        Assert.Equal(TransferEventKind.Failed, _events.Events[^1].Kind);
        Assert.True(_now - again >= TimeSpan.FromSeconds(4));
        Assert.True(_now - started >= TimeSpan.FromSeconds(7.9));
    }
}
