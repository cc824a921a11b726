using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>The transfer state machine and admission policy driven packet by packet with a fake clock. No sockets.</summary>
public sealed class TftpTransferManagerTests : IDisposable
{
    private static readonly IPEndPoint ClientA = new(IPAddress.Parse("192.0.2.10"), 2070);
    private static readonly IPEndPoint ClientB = new(IPAddress.Parse("192.0.2.11"), 2071);
    private static readonly IPEndPoint ClientC = new(IPAddress.Parse("192.0.2.12"), 2072);
    private readonly TempRoot _root = new();
    private readonly InMemoryTransport _transport = new();
    private readonly ListSink _events = new();
    private readonly TftpServerCounters _counters = new();
    private TftpTransferManager _manager;
    private TimeSpan _now = TimeSpan.FromSeconds(100);

    public TftpTransferManagerTests()
    {
        _manager = Build(new TftpServerOptions());
    }

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

    private long ChannelOf(IPEndPoint client) => _manager.Find(client)!.Channel.Id;

    private void Ack(IPEndPoint from, int block) =>
        _manager.OnTransferPortPacket(ChannelOf(from), from, new TftpAckPacket((ushort)block).ToArray(), _now);

    private void Advance(TimeSpan by)
    {
        _now += by;
        _manager.Tick(_now);
    }

    private static int[] Blocks(IEnumerable<Sent> sent) => sent.Where(s => s.Packet is TftpDataPacket).Select(s => s.DataBlock).ToArray();

    [Fact]
    public void Options_get_an_oack_then_windows_of_data()
    {
        _root.Write("nbp", 3000); // 5 full blocks of 512 + 440
        Request(ClientA, "nbp", ("tsize", "0"), ("blksize", "512"), ("windowsize", "4"));
        var oack = Assert.IsType<TftpOptionAckPacket>(Assert.Single(_transport.Take()).Packet);
        Assert.Equal([new("tsize", "3000"), new("blksize", "512"), new("windowsize", "4")], oack.Options);

        Ack(ClientA, 0);
        Assert.Equal([1, 2, 3, 4], Blocks(_transport.Take()));
        Ack(ClientA, 4);
        Assert.Equal([5, 6], Blocks(_transport.Take()));
        Ack(ClientA, 6);
        Assert.Empty(_transport.Take());
        Assert.Equal([TransferEventKind.Started, TransferEventKind.Completed], _events.Kinds);
        Assert.Equal(3000, _events.Events[^1].BytesTransferred);
        Assert.Equal(0, _manager.ActiveCount);
    }

    [Fact]
    public void Every_datagram_sent_is_metered_with_its_headers_for_the_link_budget()
    {
        _root.Write("nbp", 3000);
        Request(ClientA, "nbp", ("tsize", "0"), ("blksize", "512"), ("windowsize", "4"));
        var oack = Assert.Single(_transport.Take()).Packet.ToArray().Length;
        Ack(ClientA, 0); // blocks 1-4 as one window
        Ack(ClientA, 4); // 5 and 6
        Ack(ClientA, 6);

        // OACK + 6 DATA: 5 × (4 + 512) + (4 + 440).
        Assert.Equal(7, _counters.DatagramsSent);
        Assert.Equal(oack + (5 * 516) + 444, _counters.BytesSent);
        Assert.Equal(_counters.BytesSent + (7 * 42), _counters.WireBytesSent);
    }

    [Fact]
    public void No_options_start_with_data_1_at_512()
    {
        _root.Write("nbp", 700);
        Request(ClientA, "nbp");
        var first = Assert.Single(_transport.Take());
        var data = Assert.IsType<TftpDataPacket>(first.Packet);
        Assert.Equal(1, data.Block);
        Assert.Equal(512, data.Payload.Length);
        Assert.NotEqual(0, first.ChannelId);
    }

    [Fact]
    public void Blksize_and_windowsize_are_clamped_tsize_and_timeout_answered_unknown_options_dropped()
    {
        _root.Write("nbp", 10);
        Request(ClientA, "nbp", ("multicast", ""), ("blksize", "9000"), ("windowsize", "1000"), ("timeout", "3"), ("tsize", "0"));
        var oack = Assert.IsType<TftpOptionAckPacket>(Assert.Single(_transport.Take()).Packet);
        Assert.Equal([new("blksize", "1468"), new("windowsize", "64"), new("timeout", "3"), new("tsize", "10")], oack.Options);
    }

    [Fact]
    public void Tsize_is_answered_with_the_real_size_whatever_value_was_sent()
    {
        _root.Write("nbp", 1234);
        Request(ClientA, "nbp", ("tsize", "99"));
        Assert.Equal([new("tsize", "1234")], Assert.IsType<TftpOptionAckPacket>(Assert.Single(_transport.Take()).Packet).Options);
    }

    [Fact]
    public void Duplicate_ack_sends_nothing()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("windowsize", "4"));
        Ack(ClientA, 0);
        Ack(ClientA, 4);
        _transport.Take();
        Ack(ClientA, 4);
        Ack(ClientA, 4);
        Assert.Empty(_transport.Take());
        Assert.Equal(2, _counters.DuplicateAcks);
    }

    [Fact]
    public void Stale_ack_from_before_the_window_sends_nothing()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("windowsize", "4"));
        Ack(ClientA, 0);
        Ack(ClientA, 4);
        _transport.Take();
        Ack(ClientA, 2);
        Ack(ClientA, 0);
        Assert.Empty(_transport.Take());
    }

    [Fact]
    public void Partial_ack_slides_the_window_and_its_second_copy_rolls_it_back_once()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("windowsize", "4"));
        Ack(ClientA, 0);
        Assert.Equal([1, 2, 3, 4], Blocks(_transport.Take()));
        Ack(ClientA, 2); // mid-window: 3 and 4 are in flight, only the blocks that slid in go out
        Assert.Equal([5, 6], Blocks(_transport.Take()));
        Ack(ClientA, 2); // the same partial ACK again: the client is stuck at 3 (fast retransmit)
        Assert.Equal([3, 4, 5, 6], Blocks(_transport.Take()));
        Ack(ClientA, 2); // and again: answered already, nothing more
        Assert.Empty(_transport.Take());
        Assert.Equal(1, _counters.Retransmits);
        Assert.Equal(4, _counters.ResentBlocks);
    }

    [Fact]
    public void Ack_from_the_future_is_ignored()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("windowsize", "2"));
        Ack(ClientA, 0);
        _transport.Take();
        Ack(ClientA, 7);
        Assert.Empty(_transport.Take());
    }

    [Fact]
    public void Block_numbers_roll_over_from_65535_to_0()
    {
        // 70000 blocks of 8 bytes: in memory this is fast, and it crosses the 16-bit boundary.
        var bytes = _root.Write("big", (8 * 70_000) + 3);
        Request(ClientA, "big", ("blksize", "8"), ("windowsize", "64"));
        _transport.Take();
        Ack(ClientA, 0);
        var received = new List<byte>();
        var wire = new List<int>();
        for (var guard = 0; guard < 10_000 && _manager.ActiveCount == 1; guard++)
        {
            var sent = _transport.Take().Select(s => (TftpDataPacket)s.Packet).ToList();
            Assert.NotEmpty(sent);
            foreach (var data in sent)
            {
                received.AddRange(data.Payload.ToArray());
                wire.Add(data.Block);
            }

            Ack(ClientA, sent[^1].Block);
        }

        Assert.Equal(bytes, received.ToArray());
        var wrap = wire.IndexOf(65535);
        Assert.Equal([65535, 0, 1], wire.Skip(wrap).Take(3));
        Assert.Equal(TransferEventKind.Completed, _events.Events[^1].Kind);
    }

    [Fact]
    public void Lost_window_is_resent_on_timeout_and_retries_are_bounded()
    {
        // The 1 s ceiling (4 sends per ROM window) pins the count below; the defaults' schedule is TftpRetransmitPolicyTests'.
        Configure(o => o with { MaxRetries = 3, RetransmitsPerClientTimeout = 4 });
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("windowsize", "2"));
        Ack(ClientA, 0);
        Assert.Equal([1, 2], Blocks(_transport.Take()));
        var resends = 0;
        for (var i = 0; i < 100 && _manager.ActiveCount == 1; i++)
        {
            Advance(TimeSpan.FromMilliseconds(100));
            var sent = Blocks(_transport.Take());
            if (sent.Length > 0)
            {
                Assert.Equal([1, 2], sent);
                resends++;
            }
        }

        // At least MaxRetries, and on until a ROM's 4 s window since the last progress has closed (0.2, 0.6, 1.4, 2.4,
        // 3.4, 4.4 s at the 1 s ceiling); then the transfer fails. TftpRetransmitPolicyTests pins the schedule.
        Assert.InRange(resends, 3, 7);
        Assert.Equal(0, _manager.ActiveCount);
        Assert.Equal(TransferEventKind.Failed, _events.Events[^1].Kind);
        Assert.Equal(resends, _events.Events[^1].Retransmits);
        Assert.Contains(ChannelOf_Disposed(), _transport.Disposed);
    }

    private long ChannelOf_Disposed() => _transport.Disposed.Last();

    [Fact]
    public void Retransmit_timeout_backs_off_but_stays_under_a_rom_timeout()
    {
        // Single sends at a 1 s ceiling, so each gap is one back-off step; the defaults (500 ms, doubled) are pinned in TftpRetransmitPolicyTests.
        Configure(o => o with { RetransmitsPerClientTimeout = 4, DoubleResendAfterTimeouts = 0 });
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("blksize", "512"));
        _transport.Take();
        var gaps = new List<TimeSpan>();
        var last = _now;
        for (var i = 0; i < 200 && _manager.ActiveCount == 1; i++)
        {
            Advance(TimeSpan.FromMilliseconds(50));
            if (_transport.Take().Count > 0)
            {
                gaps.Add(_now - last);
                last = _now;
            }
        }

        Assert.Equal(new TftpServerOptions().MaxRetries, gaps.Count);
        Assert.All(gaps, gap => Assert.InRange(gap, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1.05)));
        Assert.True(gaps[1] > gaps[0]);
    }

    [Fact]
    public void Measured_round_trip_shortens_the_timeout_to_the_floor()
    {
        _root.Write("nbp", 50_000);
        Request(ClientA, "nbp");
        var transfer = _manager.Find(ClientA)!;
        for (var block = 1; block <= 10; block++)
        {
            _now += TimeSpan.FromMilliseconds(2);
            Ack(ClientA, block);
        }

        Assert.Equal(new TftpServerOptions().MinRetransmitTimeout, transfer.Timer.Current);
        Assert.Equal(_now + transfer.Timer.Current, transfer.Deadline);
    }

    [Fact]
    public void Final_ack_lost_ends_as_completed_with_a_reason()
    {
        Configure(o => o with { MaxRetries = 2 });
        _root.Write("nbp", 100);
        Request(ClientA, "nbp");
        for (var i = 0; i < 50 && _manager.ActiveCount == 1; i++)
        {
            Advance(TimeSpan.FromMilliseconds(200));
        }

        var done = _events.Events[^1];
        Assert.Equal(TransferEventKind.Completed, done.Kind);
        Assert.Contains("final ACK", done.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resent_rrq_maps_to_the_existing_transfer_and_resends_the_oack()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("blksize", "1432"));
        var first = Assert.Single(_transport.Take());
        Request(ClientA, "nbp", ("blksize", "1432"));
        var again = Assert.Single(_transport.Take());
        Assert.Equal(first.ChannelId, again.ChannelId);
        Assert.IsType<TftpOptionAckPacket>(again.Packet);
        Assert.Equal(1, _counters.Started);
        Assert.Equal(1, _counters.ResentRequests);
    }

    [Fact]
    public void Resent_rrq_after_progress_is_ignored()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp", ("blksize", "512"));
        Ack(ClientA, 0);
        Ack(ClientA, 1);
        _transport.Take();
        Request(ClientA, "nbp", ("blksize", "512"));
        Assert.Empty(_transport.Take());
    }

    [Fact]
    public void Different_request_from_the_same_port_replaces_the_transfer()
    {
        _root.Write("a", 5000);
        _root.Write("b", 5000);
        Request(ClientA, "a", ("blksize", "512"));
        var oldChannel = ChannelOf(ClientA);
        Request(ClientA, "b", ("blksize", "512"));
        Assert.Contains(oldChannel, _transport.Disposed);
        Assert.Equal([TransferEventKind.Started, TransferEventKind.Aborted, TransferEventKind.Started], _events.Kinds);
        Assert.Equal("b", _manager.Find(ClientA)!.Request.FileName);
    }

    [Fact]
    public void Ovmf_probe_abort_frees_the_slot_at_once_and_the_download_does_not_queue()
    {
        Configure(o => o with { MaxActiveTransfers = 1 });
        _root.Write("snponly.efi", 20_000);
        Request(ClientA, "snponly.efi", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4"));
        Request(ClientB, "snponly.efi", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4"));
        Assert.Equal(1, _manager.QueuedCount);
        _transport.Take();

        // OVMF aborts after the OACK (it only wanted the size)…
        _manager.OnTransferPortPacket(ChannelOf(ClientA), ClientA, new TftpErrorPacket(TftpErrorCode.OptionNegotiationFailed, "aborted").ToArray(), _now);
        Assert.Equal(0, _manager.ActiveCount);
        Assert.Equal(TransferEventKind.Aborted, _events.Events[^1].Kind);
        // …and asks again from a new port. It gets the slot it just freed, ahead of B.
        var again = new IPEndPoint(ClientA.Address, 2090);
        _manager.OnRequestPortPacket(again, null, TestTftpClient.Request("snponly.efi", ("blksize", "1468"), ("windowsize", "4")), _now);
        Assert.NotNull(_manager.Find(again));
        Assert.Equal(1, _manager.QueuedCount);
    }

    [Fact]
    public void Probe_whose_error_was_lost_is_replaced_by_the_download_from_the_same_port_without_queueing()
    {
        Configure(o => o with { MaxActiveTransfers = 1 });
        _root.Write("snponly.efi", 20_000);
        Request(ClientA, "snponly.efi", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4"));
        Request(ClientB, "snponly.efi", ("blksize", "1468"));
        Assert.Equal(1, _manager.QueuedCount);
        Request(ClientA, "snponly.efi", ("blksize", "1468"), ("windowsize", "4"));
        Assert.Equal("snponly.efi", _manager.Find(ClientA)!.Request.FileName);
        Assert.Null(_manager.Find(ClientA)!.Request.Requested.TransferSize);
        Assert.Equal(1, _manager.QueuedCount);
    }

    [Fact]
    public void Unused_probe_reservation_expires_and_the_queue_moves()
    {
        Configure(o => o with { MaxActiveTransfers = 1, MaxQueueWait = TimeSpan.FromSeconds(30) });
        _root.Write("nbp", 20_000);
        Request(ClientA, "nbp", ("tsize", "0"));
        Request(ClientB, "nbp", ("tsize", "0"));
        _manager.OnTransferPortPacket(ChannelOf(ClientA), ClientA, new TftpErrorPacket(TftpErrorCode.NotDefined, "x").ToArray(), _now);
        Assert.Null(_manager.Find(ClientB));
        Advance(new TftpServerOptions().ProbeReservation);
        Assert.NotNull(_manager.Find(ClientB));
    }

    [Fact]
    public void Admission_caps_active_queues_fifo_and_drops_silently_when_the_queue_is_full()
    {
        Configure(o => o with { MaxActiveTransfers = 1, MaxQueuedTransfers = 1 });
        _root.Write("nbp", 100);
        Request(ClientA, "nbp");
        Request(ClientB, "nbp");
        Request(ClientC, "nbp");
        Assert.Equal(1, _manager.ActiveCount);
        Assert.Equal(1, _manager.QueuedCount);
        Assert.Equal([TransferEventKind.Started, TransferEventKind.Queued, TransferEventKind.Refused], _events.Kinds);
        // C got no ERROR (fatal to a ROM): silence, so it retransmits its RRQ.
        Assert.DoesNotContain(_transport.Sent, s => s.To.Equals(ClientC));
        Assert.Equal(1, _counters.QueueFullDrops);

        _transport.Take();
        Ack(ClientA, 1);
        Assert.NotNull(_manager.Find(ClientB));
        Assert.Equal(0, _manager.QueuedCount);
    }

    [Fact]
    public void Queued_request_starts_above_the_cap_before_a_rom_would_give_up()
    {
        Configure(o => o with { MaxActiveTransfers = 1 });
        _root.Write("nbp", 100_000);
        Request(ClientA, "nbp");
        Request(ClientB, "nbp");
        Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_manager.Find(ClientB));
        Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(_manager.Find(ClientB));
        Assert.Equal(1, _counters.Overcommitted);
        Assert.Equal(TimeSpan.FromSeconds(2), _events.Events.Last(e => e.Kind == TransferEventKind.Started).Duration);
    }

    [Fact]
    public void Resent_rrq_while_queued_keeps_its_place()
    {
        Configure(o => o with { MaxActiveTransfers = 1 });
        _root.Write("nbp", 100);
        Request(ClientA, "nbp");
        Request(ClientB, "nbp");
        Request(ClientC, "nbp");
        Request(ClientB, "nbp");
        Assert.Equal(2, _manager.QueuedCount);
        Assert.Equal(1, _counters.ResentRequests);
        Ack(ClientA, 1);
        Assert.NotNull(_manager.Find(ClientB));
        Assert.Null(_manager.Find(ClientC));
    }

    [Fact]
    public void Write_request_is_refused_with_an_error_from_the_request_port()
    {
        _manager.OnRequestPortPacket(ClientA, null, new TftpRequest(true, "x", TftpTransferMode.Octet).ToArray(), _now);
        var sent = Assert.Single(_transport.Take());
        Assert.Equal(0, sent.ChannelId);
        Assert.Equal(TftpErrorCode.AccessViolation, Assert.IsType<TftpErrorPacket>(sent.Packet).Code);
        Assert.Equal(TransferEventKind.Refused, Assert.Single(_events.Events).Kind);
    }

    [Fact]
    public void Traversal_over_the_wire_is_an_access_violation()
    {
        Request(ClientA, "../etc/passwd");
        Assert.Equal(TftpErrorCode.AccessViolation, Assert.IsType<TftpErrorPacket>(Assert.Single(_transport.Take()).Packet).Code);
    }

    [Fact]
    public void Stranger_on_a_transfer_port_gets_error_5_and_the_transfer_goes_on()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp");
        _transport.Take();
        _manager.OnTransferPortPacket(ChannelOf(ClientA), ClientB, new TftpAckPacket(1).ToArray(), _now);
        var sent = Assert.Single(_transport.Take());
        Assert.Equal(ClientB, sent.To);
        Assert.Equal(TftpErrorCode.UnknownTransferId, Assert.IsType<TftpErrorPacket>(sent.Packet).Code);
        Ack(ClientA, 1);
        Assert.Equal([2], Blocks(_transport.Take()));
    }

    [Fact]
    public void Client_error_mid_transfer_aborts_and_frees_at_once()
    {
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp");
        var channel = ChannelOf(ClientA);
        _manager.OnTransferPortPacket(channel, ClientA, new TftpErrorPacket(TftpErrorCode.NotDefined, "user abort").ToArray(), _now);
        Assert.Equal(0, _manager.ActiveCount);
        Assert.Contains(channel, _transport.Disposed);
        Assert.Contains("user abort", _events.Events[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_datagram_is_counted_and_ignored()
    {
        _manager.OnRequestPortPacket(ClientA, null, [0x00, 0x09, 0x01], _now);
        Assert.Equal(1, _counters.Malformed);
        Assert.Empty(_transport.Sent);
    }

    [Fact]
    public void Single_port_transfers_take_their_acks_from_the_request_port()
    {
        var transport = new InMemoryTransport { SinglePort = true };
        using var manager = new TftpTransferManager(new TftpServerOptions { Root = _root.Path }, new TftpFileStore(new TftpRootResolver(_root.Path)), transport, _events, _counters);
        _root.Write("nbp", 600);
        manager.OnRequestPortPacket(ClientA, null, TestTftpClient.Request("nbp"), _now);
        Assert.Equal(0, Assert.Single(transport.Take()).ChannelId);
        manager.OnRequestPortPacket(ClientA, null, new TftpAckPacket(1).ToArray(), _now);
        Assert.Equal([2], Blocks(transport.Take()));
        manager.OnRequestPortPacket(ClientA, null, new TftpAckPacket(2).ToArray(), _now);
        Assert.Equal(TransferEventKind.Completed, _events.Events[^1].Kind);
    }

    [Fact]
    public void Shutdown_tells_running_clients_and_empties_the_queue()
    {
        Configure(o => o with { MaxActiveTransfers = 1 });
        _root.Write("nbp", 5000);
        Request(ClientA, "nbp");
        Request(ClientB, "nbp");
        _transport.Take();
        _manager.Shutdown(_now);
        Assert.IsType<TftpErrorPacket>(Assert.Single(_transport.Take()).Packet);
        Assert.Equal(0, _manager.ActiveCount);
        Assert.Equal(0, _manager.QueuedCount);
    }
}
