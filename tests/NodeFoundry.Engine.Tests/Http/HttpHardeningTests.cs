using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// Hostile and broken clients: oversize heads, slowloris, idlers, floods of connections, garbage.
/// Every loop here is bounded in count and in time.
/// </summary>
public sealed class HttpHardeningTests
{
    [Fact]
    public async Task Oversize_request_line_is_414_and_delivered_before_the_close()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send($"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = client.ReadResponse();
        Assert.Equal(414, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Endless_request_line_is_cut_off_at_the_limit_not_buffered()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();

        // Keep writing with no line end: the server must answer 414 once the limit is passed.
        var chunk = Encoding.ASCII.GetBytes("GET /" + new string('a', 4000));
        client.Send(chunk);
        client.Send(Encoding.ASCII.GetBytes(new string('a', 6000)));
        Assert.Equal(414, client.ReadResponse().Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_head_sent_one_byte_per_write_is_answered_once_complete(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive });
        using var client = server.Connect();
        var head = Encoding.ASCII.GetBytes(HttpTestServer.Get("/a.txt", "User-Agent: trickle") + HttpTestServer.Get("/digits.bin"));
        for (var i = 0; i < head.Length; i++)
        {
            client.Socket.Send(head, i, 1, SocketFlags.None);
        }

        Assert.Equal("hello, boot\n", client.ReadResponse().Text);
        Assert.Equal(20, client.ReadResponse().Body.Length);
    }

    [Fact]
    public async Task Too_many_header_fields_is_431()
    {
        await using var server = await HttpTestServer.StartAsync();
        var fields = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Field-{i}: v\r\n"));
        var response = server.Request($"GET /a.txt HTTP/1.1\r\n{fields}\r\n");
        Assert.Equal(431, response.Status);
        Assert.Equal(1, server.Server.Counters.ParseErrors);
    }

    [Fact]
    public async Task Oversize_header_section_is_431()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request($"GET /a.txt HTTP/1.1\r\nX-Big: {new string('v', 20_000)}\r\n\r\n");
        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task Malformed_head_is_400_and_closes()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send("GET / HTTP/1.1\r\nHost : x\r\n\r\n" + HttpTestServer.Get("/a.txt"));
        Assert.Equal(400, client.ReadResponse().Status);
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Unsupported_version_is_505()
    {
        await using var server = await HttpTestServer.StartAsync();
        Assert.Equal(505, server.Request("GET /a.txt HTTP/2.0\r\n\r\n").Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Slow_client_is_cut_off_by_the_request_timeout_without_blocking_others(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive, RequestTimeout = TimeSpan.FromSeconds(1) });
        using var slow = server.Connect();
        var head = Encoding.ASCII.GetBytes("GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Pad: " + new string('p', 200));
        var cutOff = false;
        var fastAnswers = 0;
        var clock = Stopwatch.StartNew();

        // One byte per 100 ms; never a complete head. Between bytes, a well-behaved client gets served.
        for (var i = 0; i < head.Length && clock.Elapsed < TimeSpan.FromSeconds(8); i++)
        {
            try
            {
                slow.Socket.Send(head, i, 1, SocketFlags.None);
            }
            catch (SocketException)
            {
                cutOff = true;
                break;
            }

            if (slow.Socket.Poll(0, SelectMode.SelectRead))
            {
                // Readable means the server answered (408) or closed: either way it is cut off.
                cutOff = true;
                break;
            }

            if (i % 5 == 0)
            {
                var fast = Stopwatch.StartNew();
                Assert.Equal(200, server.Request(HttpTestServer.Get("/a.txt")).Status);
                Assert.True(fast.Elapsed < TimeSpan.FromSeconds(1), $"a normal request took {fast.Elapsed} next to the slow client");
                fastAnswers++;
            }

            await Task.Delay(100);
        }

        Assert.True(cutOff, $"slow client still connected after {clock.Elapsed}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.True(fastAnswers >= 1);
        Assert.True(server.Server.Counters.Timeouts >= 1);
        var events = server.DrainEvents();
        Assert.Contains(events, e => e.StatusCode == 408 && e.Reason!.Contains("request timeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Idle_keep_alive_connection_is_closed_after_the_idle_timeout(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive, IdleTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = server.Connect();
        client.Send(HttpTestServer.Get("/a.txt"));
        Assert.Equal(200, client.ReadResponse().Status);
        var clock = Stopwatch.StartNew();
        Assert.True(client.IsClosedByServer());
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connection_that_never_sends_is_closed_after_the_request_timeout(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive, RequestTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = server.Connect();
        var clock = Stopwatch.StartNew();
        Assert.True(client.IsClosedByServer());
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Many_concurrent_connections_are_all_served(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive });
        const int clients = 200;
        var connections = Enumerable.Range(0, clients).Select(_ => server.Connect()).ToList();
        try
        {
            // All connected at once, then all asking at once: the mass power-on shape.
            var tasks = connections.Select(async client =>
            {
                for (var r = 0; r < 3; r++)
                {
                    var response = await client.ExchangeAsync(HttpTestServer.Get(r % 2 == 0 ? "/a.txt" : "/digits.bin", "Range: bytes=0-4"));
                    Assert.Equal(206, response.Status);
                }
            }).ToArray();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }

        Assert.Equal(clients * 3, server.Server.Counters.Successful);
        await HttpBootServerTests.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 0);
    }

    [Fact]
    public async Task Past_max_connections_the_next_client_gets_503_and_the_others_keep_working()
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { MaxConnections = 2 });
        using var first = server.Connect();
        using var second = server.Connect();
        first.Send(HttpTestServer.Get("/a.txt"));
        Assert.Equal(200, first.ReadResponse().Status);
        second.Send(HttpTestServer.Get("/a.txt"));
        Assert.Equal(200, second.ReadResponse().Status);

        using var third = server.Connect();
        var refused = third.ReadResponse();
        Assert.Equal(503, refused.Status);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Equal(1, server.Server.Counters.RejectedConnections);

        first.Send(HttpTestServer.Get("/a.txt"));
        Assert.Equal(200, first.ReadResponse().Status);
    }

    [Fact]
    public async Task Garbage_over_sockets_never_hurts_the_server()
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromMilliseconds(100) });
        var random = new Random(42);
        var corpus = Encoding.ASCII.GetBytes("GET /sub/deeper/b.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-3,5-\r\nIf-None-Match: \"x\"\r\n\r\n");
        for (var i = 0; i < 200; i++)
        {
            using var client = server.Connect();
            client.Socket.ReceiveTimeout = 3000;
            try
            {
                client.Send(HttpParserFuzzTests.Mutate(corpus, random));
                client.IsClosedByServer();
            }
            catch (SocketException)
            {
                // The server may reset a connection it refused; that is its right.
            }
        }

        Assert.Equal(0, server.Server.Counters.HandlerFaults);
        Assert.Equal("nested\n", server.Request(HttpTestServer.Get("/sub/deeper/b.txt")).Text);
        Assert.Contains(server.DrainEvents(), e => e.StatusCode == 400);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_closes_open_connections_and_returns_promptly(bool directReceive)
    {
        var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive });
        using var idle = server.Connect();
        idle.Send(HttpTestServer.Get("/a.txt"));
        idle.ReadResponse();
        var clock = Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
        Assert.True(idle.IsClosedByServer());
    }
}
