using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// Windowed transfers (RFC 7440) against a simulated EDK2-like client, packet by packet with a fake clock:
/// partial ACKs caused by duplicated DATA slide the window; real loss is recovered by the second partial
/// ACK or the retransmission timer, well inside a ROM's ~4 s.
/// </summary>
public sealed class TftpWindowTests : IDisposable
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.20"), 2080);
    private readonly TempRoot _root = new();
    private readonly InMemoryTransport _transport = new();
    private readonly ListSink _events = new();
    private readonly TftpServerCounters _counters = new();
    private readonly TftpTransferManager _manager;
    private TimeSpan _now = TimeSpan.FromSeconds(100);

    public TftpWindowTests()
    {
        _manager = new TftpTransferManager(
            new TftpServerOptions { Root = _root.Path }, new TftpFileStore(new TftpRootResolver(_root.Path)), _transport, _events, _counters);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void A_window_leaves_as_one_batch_of_equal_size_datagrams_the_last_block_short()
    {
        var bytes = _root.Write("nbp", 10_000); // 19 blocks of 512 and one of 272
        _manager.OnRequestPortPacket(Client, null, TestTftpClient.Request("nbp", ("blksize", "512"), ("windowsize", "8")), _now);
        Assert.IsType<TftpOptionAckPacket>(Assert.Single(_transport.Take()).Packet);
        var received = new List<byte>();
        foreach (var ack in new ushort[] { 0, 8, 16 })
        {
            _manager.OnTransferPortPacket(1, Client, new TftpAckPacket(ack).ToArray(), _now);
            foreach (var sent in _transport.Take())
            {
                var data = Assert.IsType<TftpDataPacket>(sent.Packet);
                Assert.Equal(received.Count / 512 + 1, data.Block);
                received.AddRange(data.Payload.ToArray());
            }
        }

        Assert.Equal(bytes, received);
        Assert.Equal([(8, 516), (8, 516), (4, 516)], _transport.Batches); // one send per window, not one per block
        _manager.OnTransferPortPacket(1, Client, new TftpAckPacket(20).ToArray(), _now);
        Assert.Equal(TransferEventKind.Completed, _events.Events[^1].Kind);
    }

    [Fact]
    public void Duplicated_data_block_resends_nothing_that_was_in_flight()
    {
        var bytes = _root.Write("nbp", 20_000); // 40 blocks of 512 (+ an empty last one)
        var client = new RomLikeClient(windowSize: 4);
        var sent = Run(client, "nbp", 4, duplicate: (block, copy) => copy == 0 && block is 2 or 13 or 27);

        Assert.Equal(bytes, client.Content);
        Assert.True(client.PartialAcks >= 3, "each duplicated block should have made the client re-ACK mid-window");
        Assert.Equal(sent.Distinct().Count(), sent.Count); // every block left the server exactly once
        Assert.Equal(0, _counters.ResentBlocks);
        Assert.Equal(0, _counters.Retransmits);
        Assert.Equal(TransferEventKind.Completed, _events.Events[^1].Kind);
        Assert.Equal(0, _events.Events[^1].ResentBlocks);
    }

    [Fact]
    public void Lost_block_mid_window_is_recovered_by_the_timer_when_the_client_acks_the_gap_once()
    {
        var bytes = _root.Write("nbp", 20_000);
        var client = new RomLikeClient(windowSize: 4); // EDK2: one ACK at the gap, then silence until its own timeout
        var sent = Run(client, "nbp", 4, lose: (block, copy) => copy == 0 && block == 6);

        Assert.Equal(bytes, client.Content);
        Assert.Equal(0, client.Timeouts); // the server re-sent before the client's 4 s timer ran out
        Assert.Equal(1, _counters.Retransmits);
        Assert.InRange(client.LongestWait, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(1.05));
        Assert.InRange(_counters.ResentBlocks, 1, 4); // the window from 6, once
        Assert.Equal(2, sent.Count(b => b == 6));
    }

    [Fact]
    public void Lost_block_mid_window_is_recovered_at_once_by_a_second_partial_ack()
    {
        var bytes = _root.Write("nbp", 20_000);
        var client = new RomLikeClient(windowSize: 4) { AckEveryGap = true }; // re-ACKs every out-of-order block
        var sent = Run(client, "nbp", 4, lose: (block, copy) => copy == 0 && block == 6);

        Assert.Equal(bytes, client.Content);
        Assert.Equal(TimeSpan.Zero, client.LongestWait); // no timer involved: the second ACK 5 rolled the window back
        Assert.Equal(1, _counters.Retransmits);
        Assert.InRange(_counters.ResentBlocks, 1, 4);
        Assert.Equal(2, sent.Count(b => b == 6));
    }

    [Fact]
    public void Lock_step_is_unchanged_a_duplicate_ack_sends_nothing_and_a_lost_block_waits_for_the_timer()
    {
        var bytes = _root.Write("nbp", 5_000);
        var client = new RomLikeClient(windowSize: 1);
        var sent = Run(client, "nbp", 1, lose: (block, copy) => copy == 0 && block == 4, duplicate: (block, copy) => copy == 0 && block == 7);

        Assert.Equal(bytes, client.Content);
        Assert.Equal(1, _counters.Retransmits);
        Assert.Equal(1, _counters.ResentBlocks);
        Assert.True(_counters.DuplicateAcks >= 1);
        Assert.Equal(sent.Count - 1, sent.Distinct().Count());
    }

    /// <summary>
    /// Drives one transfer to its end: the server's DATA goes to <paramref name="client"/> (minus lost copies,
    /// plus duplicated ones), the client's ACKs go back; when nothing is in flight the clock advances in 10 ms
    /// steps. Returns the wire block numbers of every DATA the server sent.
    /// </summary>
    private List<int> Run(RomLikeClient client, string file, int window, Func<int, int, bool>? lose = null, Func<int, int, bool>? duplicate = null)
    {
        var copies = new Dictionary<int, int>();
        var all = new List<int>();
        _manager.OnRequestPortPacket(Client, null, TestTftpClient.Request(file, ("blksize", "512"), ("windowsize", window.ToString(System.Globalization.CultureInfo.InvariantCulture))), _now);
        Assert.IsType<TftpOptionAckPacket>(Assert.Single(_transport.Take()).Packet);
        var channel = _manager.Find(Client)!.Channel.Id;
        var acks = new List<ushort> { 0 };
        for (var step = 0; step < 100_000 && _manager.ActiveCount == 1; step++)
        {
            foreach (var ack in acks)
            {
                if (_manager.ActiveCount == 1)
                {
                    _manager.OnTransferPortPacket(channel, Client, new TftpAckPacket(ack).ToArray(), _now);
                }
            }

            acks.Clear();
            if (_manager.ActiveCount == 0)
            {
                break;
            }

            var sent = _transport.Take().Select(s => s.Packet).OfType<TftpDataPacket>().ToList();
            if (sent.Count == 0)
            {
                _now += TimeSpan.FromMilliseconds(10);
                client.Wait(TimeSpan.FromMilliseconds(10), acks);
                _manager.Tick(_now);
                continue;
            }

            foreach (var data in sent)
            {
                all.Add(data.Block);
                var copy = copies[data.Block] = copies.GetValueOrDefault(data.Block, -1) + 1;
                if (lose?.Invoke(data.Block, copy) == true)
                {
                    continue;
                }

                client.OnData(data, acks);
                if (duplicate?.Invoke(data.Block, copy) == true)
                {
                    client.OnData(data, acks);
                }
            }
        }

        Assert.Equal(0, _manager.ActiveCount);
        return all;
    }

    /// <summary>
    /// The receiving side of EDK2 / the lab's ROM client: in-order blocks only, an ACK per window, a re-ACK
    /// when the block it last took arrives again, one ACK at a gap (or every gap with <see cref="AckEveryGap"/>),
    /// and a 4 s timeout after which it re-ACKs.
    /// </summary>
    private sealed class RomLikeClient(int windowSize)
    {
        private readonly List<byte> _content = [];
        private long _next = 1;
        private int _sinceAck;
        private bool _gapAcked;
        private TimeSpan _waited;

        public bool AckEveryGap { get; init; }

        public byte[] Content => [.. _content];

        public int PartialAcks { get; private set; }

        public int Timeouts { get; private set; }

        public TimeSpan LongestWait { get; private set; }

        public void OnData(TftpDataPacket data, List<ushort> acks)
        {
            var lastTaken = unchecked((ushort)(_next - 1));
            var ahead = unchecked((short)(ushort)(data.Block - (ushort)_next));
            if (ahead < 0)
            {
                if (data.Block == lastTaken)
                {
                    PartialAcks++;
                    acks.Add(lastTaken);
                }

                return;
            }

            if (ahead > 0)
            {
                if (!_gapAcked || AckEveryGap)
                {
                    _gapAcked = true;
                    _sinceAck = 0;
                    acks.Add(lastTaken);
                }

                return;
            }

            _waited = TimeSpan.Zero;
            _content.AddRange(data.Payload.ToArray());
            _next++;
            _gapAcked = false;
            if (++_sinceAck >= windowSize || data.Payload.Length < 512)
            {
                _sinceAck = 0;
                acks.Add(data.Block);
            }
        }

        public void Wait(TimeSpan by, List<ushort> acks)
        {
            _waited += by;
            if (_waited > LongestWait)
            {
                LongestWait = _waited;
            }

            if (_waited >= TimeSpan.FromSeconds(4))
            {
                Timeouts++;
                _waited = TimeSpan.Zero;
                acks.Add(unchecked((ushort)(_next - 1)));
            }
        }
    }
}
