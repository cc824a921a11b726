using System.Net;
using System.Net.Sockets;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// <see cref="DirectReceiver"/> on a loopback pair, below the server: what it returns, where it resumes, and that it
/// never holds a socket's disposal up (Socket.Dispose waits for the handle's references; a receiver that kept one for
/// the connection's life deadlocked the portable send path, which disposes the socket to end a send). Linux only: the
/// direct path does not exist elsewhere.
/// </summary>
public sealed class DirectReceiverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A connected loopback pair with a receiver on the accepted side; disposing closes all (twice is harmless).</summary>
    private sealed class Connection : IDisposable
    {
        private readonly Socket _listener;

        private Connection(Socket listener, Socket client, Socket server, CancellationToken stop)
        {
            _listener = listener;
            Client = client;
            Server = server;
            Receiver = new DirectReceiver(server, stop);
        }

        public Socket Client { get; }

        public Socket Server { get; }

        public DirectReceiver Receiver { get; }

        public void Deconstruct(out Socket client, out Socket server, out DirectReceiver receiver) =>
            (client, server, receiver) = (Client, Server, Receiver);

        public static async Task<Connection> OpenAsync(CancellationToken stop = default)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            return new Connection(listener, client, await listener.AcceptAsync(), stop);
        }

        public void Dispose()
        {
            Receiver.Dispose();
            Client.Dispose();
            Server.Dispose();
            _listener.Dispose();
        }
    }

    private static long In(TimeSpan wait) => Environment.TickCount64 + (long)wait.TotalMilliseconds;

    [Fact]
    public async Task Bytes_already_there_are_returned_at_once_and_a_close_reads_as_zero()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        client.Send("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        await Task.Delay(50);
        var buffer = new byte[64];
        Assert.Equal(18, await receiver.ReceiveAsync(buffer, In(Bound)));

        client.Dispose();
        Assert.Equal(0, await receiver.ReceiveAsync(buffer, In(Bound)).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_parked_receive_resumes_on_a_pump_thread_when_the_request_arrives()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        var buffer = new byte[64];

        async Task<(int Count, string? Thread)> ReceiveAndSayWhere()
        {
            var n = await receiver.ReceiveAsync(buffer, In(Bound)).ConfigureAwait(false);
            return (n, Thread.CurrentThread.Name);
        }

        var pending = Task.Run(ReceiveAndSayWhere);
        await HttpBootServerTests.WaitUntilAsync(() => receiver.Parks > 0);
        client.Send("x"u8.ToArray());
        var (count, thread) = await pending.WaitAsync(Bound);

        Assert.Equal(1, count);
        Assert.StartsWith("nf-socket-", thread, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_that_is_never_empty_still_yields_the_pump_now_and_then_and_loses_no_byte()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        var sent = Enumerable.Range(0, 3 * DirectReceiver.ReadsBeforeYield).Select(i => (byte)i).ToArray();
        client.Send(sent);
        await Task.Delay(50);

        // One byte per receive: the data is always there, so only the yield rule makes it park.
        var received = new List<byte>();
        var one = new byte[1];
        while (received.Count < sent.Length)
        {
            Assert.Equal(1, await receiver.ReceiveAsync(one, In(Bound)).AsTask().WaitAsync(Bound));
            received.Add(one[0]);
        }

        Assert.Equal(sent, received);
        Assert.InRange(receiver.Parks, 2, 3);
    }

    [Fact]
    public async Task A_parked_receive_returns_minus_one_once_its_deadline_passes()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        Assert.Equal(-1, await receiver.ReceiveAsync(new byte[64], In(TimeSpan.FromMilliseconds(300))).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task The_stop_ends_a_parked_receive_with_operation_canceled()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var stop = new CancellationTokenSource();
        using var connection = await Connection.OpenAsync(stop.Token);
        var (client, server, receiver) = connection;
        var pending = receiver.ReceiveAsync(new byte[64], In(TimeSpan.FromMinutes(5))).AsTask();
        await HttpBootServerTests.WaitUntilAsync(() => receiver.Parks > 0);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound));
    }

    [Fact]
    public async Task Disposing_the_socket_between_receives_is_not_held_up_by_the_receiver()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        client.Send("x"u8.ToArray());
        await Task.Delay(50);
        Assert.Equal(1, await receiver.ReceiveAsync(new byte[64], In(Bound)));

        // What the portable send path does to end a timed-out send: dispose the socket from another thread.
        await Task.Run(server.Dispose).WaitAsync(Bound);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => receiver.ReceiveAsync(new byte[64], In(Bound)).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task Disposing_the_socket_while_a_receive_is_parked_ends_both()
    {
        if (!DirectReceiver.IsSupported)
        {
            return;
        }

        using var connection = await Connection.OpenAsync();
        var (client, server, receiver) = connection;
        var pending = receiver.ReceiveAsync(new byte[64], In(TimeSpan.FromMinutes(5))).AsTask();
        await HttpBootServerTests.WaitUntilAsync(() => receiver.Parks > 0);

        // The dispose shuts the socket down, which wakes the parked receive; the receive lets its reference go, and
        // the dispose completes. Neither may wait for the five-minute deadline.
        await Task.Run(server.Dispose).WaitAsync(Bound);
        int? count = null;
        Exception? ended = null;
        try
        {
            count = await pending.WaitAsync(Bound);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            ended = ex;
        }

        Assert.True(ended is not null || count <= 0, $"the parked receive read {count} bytes from a disposed socket");
    }
}
