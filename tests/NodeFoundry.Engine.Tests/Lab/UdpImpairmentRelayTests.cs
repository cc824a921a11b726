using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Lab;

namespace NodeFoundry.Tests.Lab;

/// <summary>The impairment relay on loopback: forwarding, NAT-like mappings, seeded loss/duplication/reordering, bounds.</summary>
public sealed class UdpImpairmentRelayTests
{
    /// <summary>A UDP server on loopback that records what arrives (sequence number, sender) and may echo it.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Recorder(bool echo)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveBufferSize = 1 << 20;
            EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
            _loop = Task.Run(async () =>
            {
                var buffer = new byte[2048];
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var got = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                        Received.Enqueue((BinaryPrimitives.ReadInt32BigEndian(buffer), (IPEndPoint)got.RemoteEndPoint));
                        if (echo)
                        {
                            await _socket.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, got.RemoteEndPoint);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        public IPEndPoint EndPoint { get; }

        public ConcurrentQueue<(int Sequence, IPEndPoint From)> Received { get; } = new();

        public Socket Socket => _socket;

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _socket.Dispose();
            _stop.Dispose();
        }
    }

    private static Socket Client()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveBufferSize = 1 << 20;
        return socket;
    }

    private static void SendNumbered(Socket client, IPEndPoint to, int count, int paceEvery = 50)
    {
        var datagram = new byte[32];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            client.SendTo(datagram, to);
            if (paceEvery > 0 && i % paceEvery == paceEvery - 1)
            {
                Thread.Sleep(1); // let the relay drain: loss must come from the seed, not from a full socket buffer
            }
        }
    }

    private static int Drain(Socket socket)
    {
        var buffer = new byte[64];
        var count = 0;
        while (count < 10_000 && socket.Available > 0)
        {
            socket.Receive(buffer);
            count++;
        }

        return count;
    }

    private static async Task SettleAsync(Func<bool> done, int ms = 3000)
    {
        for (var waited = 0; waited < ms && !done(); waited += 20)
        {
            await Task.Delay(20);
        }
    }

    private static UdpImpairmentRelay Relay(IPEndPoint target, int seed = 1, UdpImpairment? up = null, UdpImpairment? down = null, Func<UdpImpairmentRelayOptions, UdpImpairmentRelayOptions>? tweak = null)
    {
        var options = new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Target = target,
            Seed = seed,
            ClientToServer = up ?? UdpImpairment.None,
            ServerToClient = down ?? UdpImpairment.None,
        };
        return UdpImpairmentRelay.Start(tweak?.Invoke(options) ?? options);
    }

    [Fact]
    public async Task Forwards_both_ways_with_one_upstream_port_per_client()
    {
        using var server = new Recorder(echo: true);
        await using var relay = Relay(server.EndPoint);
        using var a = Client();
        using var b = Client();
        SendNumbered(a, relay.LocalEndPoint, 10);
        SendNumbered(b, relay.LocalEndPoint, 10);
        await SettleAsync(() => relay.Counters.ToClients == 20);

        var counters = relay.Counters;
        Assert.Equal(20, counters.FromClients);
        Assert.Equal(20, counters.ToServer);
        Assert.Equal(20, counters.ToClients);
        Assert.Equal(2, counters.MappingsOpened);
        var upstreamPorts = server.Received.Select(r => r.From.Port).Distinct().ToArray();
        Assert.Equal(2, upstreamPorts.Length);
        Assert.DoesNotContain(a.LocalEndPoint is IPEndPoint ae ? ae.Port : 0, upstreamPorts);
        Assert.Equal(10, Drain(a));
        Assert.Equal(0, counters.ReplyPortsOpened);
    }

    [Fact]
    public async Task Total_loss_delivers_nothing_and_counts_every_datagram()
    {
        using var server = new Recorder(echo: false);
        await using var relay = Relay(server.EndPoint, up: new UdpImpairment { LossPercent = 100 });
        using var client = Client();
        SendNumbered(client, relay.LocalEndPoint, 100);
        await SettleAsync(() => relay.Counters.LostToServer == 100);

        Assert.Equal(100, relay.Counters.LostToServer);
        await Task.Delay(100);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task Total_duplication_delivers_every_datagram_twice_in_both_directions()
    {
        using var server = new Recorder(echo: true);
        await using var relay = Relay(server.EndPoint, up: new UdpImpairment { DuplicatePercent = 100 }, down: new UdpImpairment { DuplicatePercent = 100 });
        using var client = Client();
        SendNumbered(client, relay.LocalEndPoint, 50);
        await SettleAsync(() => relay.Counters.ToClients == 200);

        Assert.Equal(100, server.Received.Count);
        Assert.All(server.Received.GroupBy(r => r.Sequence), g => Assert.Equal(2, g.Count()));
        Assert.Equal(200, relay.Counters.ToClients);
        Assert.Equal(50, relay.Counters.DuplicatedToServer);
        Assert.Equal(100, relay.Counters.DuplicatedToClients);
    }

    [Fact]
    public async Task The_same_seed_loses_and_duplicates_the_same_datagrams()
    {
        async Task<int[]> Run(int seed)
        {
            using var server = new Recorder(echo: false);
            await using var relay = Relay(server.EndPoint, seed, up: UdpImpairment.LossAndDuplication(10, 10));
            using var client = Client();
            SendNumbered(client, relay.LocalEndPoint, 1000);
            await SettleAsync(() => relay.Counters.LostToServer + relay.Counters.ToServer - relay.Counters.DuplicatedToServer == 1000);
            await SettleAsync(() => server.Received.Count == relay.Counters.ToServer);
            return [.. server.Received.Select(r => r.Sequence).Order()];
        }

        var first = await Run(7);
        var second = await Run(7);
        var other = await Run(8);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);

        // 10% loss and 10% duplication over 1000 datagrams: roughly 900 distinct, roughly 90 twice.
        Assert.InRange(first.Distinct().Count(), 850, 950);
        Assert.InRange(first.Length - first.Distinct().Count(), 55, 130);
    }

    [Fact]
    public void Decisions_are_a_pure_function_of_the_seed()
    {
        var impairment = new UdpImpairment { LossPercent = 5, DuplicatePercent = 5, ReorderPercent = 5, ReorderHold = TimeSpan.FromMilliseconds(10), Delay = TimeSpan.FromMilliseconds(1) };
        var a = new Random(99);
        var b = new Random(99);
        var decisions = Enumerable.Range(0, 10_000).Select(_ => impairment.Decide(a)).ToArray();
        Assert.Equal(decisions, Enumerable.Range(0, 10_000).Select(_ => impairment.Decide(b)));
        Assert.InRange(decisions.Count(d => d.Copies == 0), 400, 600);
        Assert.InRange(decisions.Count(d => d.Copies == 2), 350, 600);
        Assert.All(decisions.Where(d => d.Copies > 0), d => Assert.True(d.FirstDelay >= TimeSpan.FromMilliseconds(1)));
        Assert.Contains(decisions, d => d.Reordered && d.FirstDelay == TimeSpan.FromMilliseconds(11));
    }

    [Fact]
    public void Out_of_range_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpImpairment { LossPercent = 101 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpImpairment { DuplicatePercent = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpImpairment { Delay = TimeSpan.FromMilliseconds(-1) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => Relay(new IPEndPoint(IPAddress.Loopback, 9), tweak: o => o with { MaxMappings = 0 }));
    }

    [Fact]
    public async Task Reordering_changes_the_arrival_order()
    {
        using var server = new Recorder(echo: false);
        await using var relay = Relay(server.EndPoint, seed: 3, up: new UdpImpairment { ReorderPercent = 25, ReorderHold = TimeSpan.FromMilliseconds(30) });
        using var client = Client();
        var datagram = new byte[32];
        for (var i = 0; i < 60; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            client.SendTo(datagram, relay.LocalEndPoint);
            await Task.Delay(2);
        }

        await SettleAsync(() => server.Received.Count == 60);
        var order = server.Received.Select(r => r.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(0, 60), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 60), order);
        Assert.True(relay.Counters.Reordered > 0);
    }

    [Fact]
    public async Task Delay_applies_in_each_direction()
    {
        using var server = new Recorder(echo: true);
        var delay = new UdpImpairment { Delay = TimeSpan.FromMilliseconds(80) };
        await using var relay = Relay(server.EndPoint, up: delay, down: delay);
        using var client = Client();
        var started = System.Diagnostics.Stopwatch.StartNew();
        SendNumbered(client, relay.LocalEndPoint, 1);
        var buffer = new byte[64];
        client.ReceiveTimeout = 3000;
        client.Receive(buffer);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(155), $"round trip {started.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_plain_delay_keeps_the_order_of_a_burst()
    {
        // Timers alone would release datagrams due in the same millisecond in any order; the delay line must not.
        using var server = new Recorder(echo: false);
        await using var relay = Relay(server.EndPoint, up: new UdpImpairment { Delay = TimeSpan.FromMilliseconds(2) });
        using var client = Client();
        SendNumbered(client, relay.LocalEndPoint, 500, paceEvery: 100);
        await SettleAsync(() => server.Received.Count == 500);

        Assert.Equal(Enumerable.Range(0, 500), server.Received.Select(r => r.Sequence));
        Assert.Equal(0, relay.Counters.Reordered);
    }

    [Fact]
    public async Task Replies_from_a_new_server_port_come_back_from_a_mirrored_relay_port()
    {
        // A TFTP-like server: answers each request from a fresh socket, then expects the client there.
        using var listen = new Recorder(echo: false);
        using var transfer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        transfer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var relay = Relay(listen.EndPoint);
        using var client = Client();
        SendNumbered(client, relay.LocalEndPoint, 1);
        await SettleAsync(() => listen.Received.Count == 1);
        var upstream = listen.Received.Single().From;

        transfer.SendTo(new byte[] { 0, 0, 0, 7 }, upstream);
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        client.ReceiveTimeout = 3000;
        client.ReceiveFrom(buffer, ref from);
        var face = (IPEndPoint)from;
        Assert.NotEqual(relay.LocalEndPoint.Port, face.Port);

        client.SendTo(new byte[] { 0, 0, 0, 8 }, face);
        transfer.ReceiveTimeout = 3000;
        EndPoint back = new IPEndPoint(IPAddress.Any, 0);
        var n = transfer.ReceiveFrom(buffer, ref back);
        Assert.Equal(4, n);
        Assert.Equal(8, buffer[3]);
        Assert.Equal(upstream, back);
        Assert.Equal(1, relay.Counters.ReplyPortsOpened);
        Assert.Null(relay.Counters.FirstSecondReplyPort);

        // A stranger writing to the mirrored port is not forwarded, and the first one is described.
        using var stranger = Client();
        stranger.SendTo(new byte[4], face);
        await SettleAsync(() => relay.Counters.Strangers == 1);
        Assert.Equal(1, relay.Counters.Strangers);
        Assert.Equal($"{stranger.LocalEndPoint} sent 4 bytes to the reply port {face} of client {client.LocalEndPoint} (server {transfer.LocalEndPoint})", relay.Counters.FirstStranger);

        // A second server port answering the same client is a second reply port, and the first such is described.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.SendTo(new byte[] { 0, 0, 0, 9 }, upstream);
        client.ReceiveFrom(buffer, ref from);
        Assert.Equal(2, relay.Counters.ReplyPortsOpened);
        Assert.Equal($"client {client.LocalEndPoint}: server {other.LocalEndPoint} after {transfer.LocalEndPoint}", relay.Counters.FirstSecondReplyPort);
    }

    [Fact]
    public async Task Idle_mappings_expire_and_the_cap_refuses_extra_clients()
    {
        using var server = new Recorder(echo: false);
        await using var relay = Relay(server.EndPoint, tweak: o => o with { IdleTimeout = TimeSpan.FromMilliseconds(200), MaxMappings = 2 });
        using var a = Client();
        using var b = Client();
        using var c = Client();
        SendNumbered(a, relay.LocalEndPoint, 1);
        SendNumbered(b, relay.LocalEndPoint, 1);
        await SettleAsync(() => relay.Counters.MappingsActive == 2);
        SendNumbered(c, relay.LocalEndPoint, 1);
        await SettleAsync(() => relay.Counters.DroppedAtCap == 1);
        Assert.Equal(1, relay.Counters.DroppedAtCap);

        await SettleAsync(() => relay.Counters.MappingsActive == 0);
        Assert.Equal(2, relay.Counters.MappingsExpired);
        SendNumbered(c, relay.LocalEndPoint, 1);
        await SettleAsync(() => server.Received.Count == 3);
        Assert.Equal(3, server.Received.Count);
    }

    [Fact]
    public async Task The_relay_stops_by_itself_when_its_lifetime_is_over()
    {
        using var server = new Recorder(echo: false);
        var relay = Relay(server.EndPoint, tweak: o => o with { Lifetime = TimeSpan.FromMilliseconds(300) });
        await relay.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await relay.DisposeAsync();
    }

    [Fact]
    public async Task An_unreachable_target_and_garbage_do_not_stop_the_loop()
    {
        // Nothing listens on the first target: the kernel answers with ICMP port-unreachable.
        int deadPort;
        using (var probe = Client())
        {
            deadPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        await using (var dead = Relay(new IPEndPoint(IPAddress.Loopback, deadPort)))
        {
            using var client = Client();
            SendNumbered(client, dead.LocalEndPoint, 20);
            client.SendTo(Array.Empty<byte>(), dead.LocalEndPoint);
            await SettleAsync(() => dead.Counters.FromClients == 21);
            Assert.Equal(21, dead.Counters.FromClients);
            Assert.False(dead.Completion.IsCompleted);
        }

        using var server = new Recorder(echo: true);
        await using var relay = Relay(server.EndPoint);
        using var again = Client();
        SendNumbered(again, relay.LocalEndPoint, 5);
        await SettleAsync(() => relay.Counters.ToClients == 5);
        Assert.Equal(5, relay.Counters.ToClients);
    }
}
