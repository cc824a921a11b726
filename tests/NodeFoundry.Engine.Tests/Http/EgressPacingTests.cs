using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Http;
using NodeFoundry.Net;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// The egress budget on real sockets: a paced socket carries the kernel's SO_MAX_PACING_RATE while its body is in
/// flight and keeps its last rate once retired (never "unlimited": see <see cref="PacedSocket"/>), and a server with a
/// budget still sends files whole. Linux only (the pacer is a no-op
/// elsewhere). No timing is asserted: the rate's effect belongs to the storm bench.
/// </summary>
public sealed class EgressPacingTests
{
    [Fact]
    public async Task A_paced_socket_carries_the_rate_and_keeps_the_last_one_once_retired()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var listener = Listener();
        var (client, server) = await ConnectAsync(listener);
        using var _ = client;
        using var __ = server;

        var paced = new PacedSocket(server);
        Assert.True(paced.Apply(250_000));
        Assert.Equal(250_000ul, PacingRate(server));
        Assert.Equal(250_000, paced.AppliedRate);

        Assert.Equal(250_000, paced.Retire());
        Assert.Equal(250_000ul, PacingRate(server));
        Assert.False(paced.Apply(100_000));
        Assert.Equal(250_000ul, PacingRate(server));
        Assert.Equal(0, paced.Retire()); // twice: nothing more to give back
    }

    [Fact]
    public async Task A_stopped_pacer_still_paces_a_late_body_without_throwing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The server disposes its pacer while connections finish; a body that starts then is still paced, and the
        // arrival over the budget (which arms the disposed rebalance timer) does not fail the response.
        using var listener = Listener();
        var pacer = EgressPacer.Create(new HttpServerOptions { EgressBytesPerSecond = 125_000_000 }, TimeProvider.System)!;
        pacer.Dispose();
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (client, server) = await ConnectAsync(listener);
                sockets.Add(client);
                sockets.Add(server);
                var paced = pacer.Begin(server);
                Assert.True(paced.AppliedRate > 0);
            }

            Assert.True(pacer.AppliedSum > pacer.BulkBudget); // the second arrival went over: the rebalance was armed
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void No_pacer_without_a_budget()
    {
        Assert.Null(EgressPacer.Create(new HttpServerOptions(), TimeProvider.System));
    }

    [Fact]
    public void A_budget_below_the_minimum_share_is_refused()
    {
        var options = new HttpServerOptions { EgressBytesPerSecond = 1000 };
        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("egress budget", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_with_a_budget_sends_a_large_file_whole()
    {
        var content = RandomNumberGenerator.GetBytes(3 << 20);
        await using var server = await HttpTestServer.StartAsync(
            o => o with { EgressBytesPerSecond = 950_000_000 / 8 },
            populate: root => File.WriteAllBytes(Path.Combine(root, "initrd.img"), content));
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(new Uri(server.Url("/initrd.img")));
        Assert.Equal(content, body);

        // The metrics read the running pacer: the whole budget is the downloads' while nothing else sends.
        var pacing = server.Server.Counters.Pacing;
        Assert.NotNull(pacing);
        Assert.Equal(WireOverhead.TcpPayloadFor(950_000_000 / 8), pacing.Value.BudgetBytesPerSecond);
        Assert.Equal(1.0, pacing.Value.Correction);
    }

    [Fact]
    public async Task A_server_without_a_budget_has_no_pacing_to_report()
    {
        await using var server = await HttpTestServer.StartAsync();
        Assert.Null(server.Server.Counters.Pacing);
    }

    private static Socket Listener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return listener;
    }

    /// <summary>A fresh loopback connection to <paramref name="listener"/>: the client end and the accepted server end (the pacer paces server sockets).</summary>
    private static async Task<(Socket Client, Socket Server)> ConnectAsync(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await listener.AcceptAsync());
    }

    /// <summary>getsockopt(SO_MAX_PACING_RATE): the kernel returns 4 or 8 bytes depending on the buffer; ask for 8.</summary>
    internal static ulong PacingRate(Socket socket)
    {
        var value = new byte[8];
        int length = socket.GetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoMaxPacingRate, value);
        return length == 4 ? BitConverter.ToUInt32(value, 0) : BitConverter.ToUInt64(value, 0);
    }
}
