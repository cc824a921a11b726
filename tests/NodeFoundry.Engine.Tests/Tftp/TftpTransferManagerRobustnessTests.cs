using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>Starvation, bounded state and random input against the manager, in memory with a fake clock.</summary>
public sealed class TftpTransferManagerRobustnessTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly InMemoryTransport _transport = new();
    private readonly ListSink _events = new();
    private readonly TftpServerCounters _counters = new();

    public void Dispose() => _root.Dispose();

    private TftpTransferManager Manager(TftpServerOptions options) =>
        new(options with { Root = _root.Path }, new TftpFileStore(new TftpRootResolver(_root.Path)), _transport, _events, _counters);

    private static IPEndPoint Client(int i) => new(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), 1024 + i);

    [Fact]
    public void Dead_client_holding_the_only_slot_does_not_starve_the_next_one()
    {
        _root.Write("nbp", 600);
        using var manager = Manager(new TftpServerOptions { MaxActiveTransfers = 1 });
        var now = TimeSpan.Zero;
        manager.OnRequestPortPacket(Client(1), null, TestTftpClient.Request("nbp"), now); // never ACKs
        manager.OnRequestPortPacket(Client(2), null, TestTftpClient.Request("nbp"), now);
        Assert.Null(manager.Find(Client(2)));

        // Client 2 starts within the queue wait, long before client 1's retries run out, and finishes.
        for (var i = 0; i < 100 && manager.Find(Client(2)) is null; i++)
        {
            now += TimeSpan.FromMilliseconds(50);
            manager.Tick(now);
        }

        Assert.InRange(now, TimeSpan.Zero, new TftpServerOptions().MaxQueueWait);
        var channel = manager.Find(Client(2))!.Channel.Id;
        manager.OnTransferPortPacket(channel, Client(2), new TftpAckPacket(1).ToArray(), now);
        manager.OnTransferPortPacket(channel, Client(2), new TftpAckPacket(2).ToArray(), now);
        Assert.Contains(_events.Events, e => e.Client.Equals(Client(2)) && e.Kind == TransferEventKind.Completed);
    }

    [Fact]
    public void A_flood_of_requests_keeps_state_within_active_plus_queued()
    {
        _root.Write("nbp", 5000);
        using var manager = Manager(new TftpServerOptions { MaxActiveTransfers = 4, MaxQueuedTransfers = 10 });
        var now = TimeSpan.Zero;
        for (var i = 0; i < 2000; i++)
        {
            manager.OnRequestPortPacket(Client(i), null, TestTftpClient.Request("nbp"), now);
            Assert.InRange(manager.ActiveCount + manager.QueuedCount, 0, 4 + 10);
        }

        Assert.Equal(2000 - 14, _counters.QueueFullDrops);
    }

    [Fact]
    public void Every_queued_client_starts_within_the_queue_wait_even_if_no_slot_frees()
    {
        _root.Write("nbp", 100_000);
        using var manager = Manager(new TftpServerOptions { MaxActiveTransfers = 2, MaxQueuedTransfers = 100 });
        var now = TimeSpan.Zero;
        for (var i = 0; i < 50; i++)
        {
            manager.OnRequestPortPacket(Client(i), null, TestTftpClient.Request("nbp"), now);
            now += TimeSpan.FromMilliseconds(10);
            manager.Tick(now);
        }

        for (var i = 0; i < 1000 && manager.QueuedCount > 0; i++)
        {
            now += TimeSpan.FromMilliseconds(10);
            manager.Tick(now);
        }

        Assert.Equal(0, manager.QueuedCount);
        var starts = _events.Events.Where(e => e.Kind == TransferEventKind.Started).ToList();
        Assert.Equal(50, starts.Count);
        Assert.All(starts, e => Assert.InRange(e.Duration, TimeSpan.Zero, TimeSpan.FromSeconds(2.05)));
    }

    [Fact]
    public void Mail_mode_is_refused()
    {
        using var manager = Manager(new TftpServerOptions());
        manager.OnRequestPortPacket(Client(1), null, new TftpRequest(false, "root", TftpTransferMode.Mail).ToArray(), TimeSpan.Zero);
        Assert.Equal(TftpErrorCode.IllegalOperation, Assert.IsType<TftpErrorPacket>(Assert.Single(_transport.Take()).Packet).Code);
    }

    [Fact]
    public void Random_packets_and_time_never_throw_and_leave_nothing_behind()
    {
        // Seeded: a failure reproduces. Valid requests, ACKs near and far, ERRORs, garbage, from a few clients.
        _root.Write("a", 3000);
        _root.Write("b", 70_000);
        var random = new Random(7440);
        using var manager = Manager(new TftpServerOptions { MaxActiveTransfers = 3, MaxQueuedTransfers = 3, MaxRetries = 3 });
        var now = TimeSpan.Zero;
        for (var step = 0; step < 20_000; step++)
        {
            var client = Client(random.Next(8));
            var transfer = manager.Find(client);
            byte[] datagram = random.Next(10) switch
            {
                0 => TestTftpClient.Request(random.Next(2) == 0 ? "a" : "b", TestTftpClient.Options(512 + random.Next(1000), 1 + random.Next(16), random.Next(2) == 0)),
                1 => new TftpErrorPacket(TftpErrorCode.NotDefined, "x").ToArray(),
                2 => RandomBytes(random),
                3 => TestTftpClient.Request("../nope"),
                _ => new TftpAckPacket((ushort)random.Next(0, 80)).ToArray(),
            };

            if (transfer is not null && transfer.Channel.Id != 0 && random.Next(4) != 0)
            {
                manager.OnTransferPortPacket(transfer.Channel.Id, client, datagram, now);
            }
            else
            {
                manager.OnRequestPortPacket(client, null, datagram, now);
            }

            now += TimeSpan.FromMilliseconds(random.Next(0, 300));
            manager.Tick(now);
            Assert.InRange(manager.ActiveCount, 0, 8);
            Assert.InRange(manager.QueuedCount, 0, 3);
            _transport.Take();
        }

        // Quiet time: every transfer ends by completion or by its bounded retries.
        for (var i = 0; i < 200 && manager.ActiveCount + manager.QueuedCount > 0; i++)
        {
            now += TimeSpan.FromSeconds(1);
            manager.Tick(now);
        }

        Assert.Equal(0, manager.ActiveCount);
        Assert.Equal(0, manager.QueuedCount);
        Assert.Equal(0, manager.ReservedCount);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 40)];
        random.NextBytes(bytes);
        return bytes;
    }
}
