using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>The server over loopback sockets: methods, validators, ranges, keep-alive, routes, events and counters.</summary>
public sealed class HttpBootServerTests
{
    [Fact]
    public async Task Get_serves_the_file_with_exact_length_validators_and_standard_headers()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/a.txt"));
        Assert.Equal(200, response.Status);
        Assert.Equal("hello, boot\n", response.Text);
        Assert.Equal("12", response.Header("Content-Length"));
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("bytes", response.Header("Accept-Ranges"));
        Assert.Matches("^\"[0-9a-f]+-[0-9a-f]+\"$", response.Header("ETag"));
        Assert.True(HttpDate.TryParse(response.Header("Last-Modified"), out _));
        Assert.True(HttpDate.TryParse(response.Header("Date"), out var date));
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("NodeFoundry", response.Header("Server"));
    }

    [Fact]
    public async Task Small_files_are_kept_in_memory_and_a_change_on_disk_is_served_at_once()
    {
        await using var server = await HttpTestServer.StartAsync();
        var path = Path.Combine(server.Root, "boot.ipxe");
        var settled = DateTime.UtcNow.AddMinutes(-10); // older than the cache's settle time
        File.WriteAllText(path, "#!ipxe\nchain A\n");
        File.SetLastWriteTimeUtc(path, settled);

        var first = server.Request(HttpTestServer.Get("/boot.ipxe"));
        Assert.Equal("#!ipxe\nchain A\n", first.Text);
        Assert.Equal(1, server.Server.Files.SmallFiles.Count);
        var again = server.Request(HttpTestServer.Get("/boot.ipxe")); // from memory now
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(first.Header("ETag"), again.Header("ETag"));
        Assert.Equal(first.Header("Last-Modified"), again.Header("Last-Modified"));
        var range = server.Request(HttpTestServer.Get("/boot.ipxe", "Range: bytes=7-11"));
        Assert.Equal(206, range.Status);
        Assert.Equal("chain", range.Text);
        Assert.Equal(304, server.Request(HttpTestServer.Get("/boot.ipxe", $"If-None-Match: {first.Header("ETag")}")).Status);

        // Same length, new bytes, another time: the stat of the request sees it and the new bytes are served.
        File.WriteAllText(path, "#!ipxe\nchain B\n");
        File.SetLastWriteTimeUtc(path, settled.AddSeconds(1));
        var changed = server.Request(HttpTestServer.Get("/boot.ipxe"));
        Assert.Equal("#!ipxe\nchain B\n", changed.Text);
        Assert.NotEqual(first.Header("ETag"), changed.Header("ETag"));
        Assert.Equal("#!ipxe\nchain B\n", server.Request(HttpTestServer.Get("/boot.ipxe")).Text);

        // A file written just now is not kept (a second write in the same timestamp tick could go unseen).
        File.WriteAllText(Path.Combine(server.Root, "fresh.ipxe"), "#!ipxe\n");
        Assert.Equal("#!ipxe\n", server.Request(HttpTestServer.Get("/fresh.ipxe")).Text);
        Assert.Equal(1, server.Server.Files.SmallFiles.Count);

        // Deleted: 404, whatever was kept.
        File.Delete(path);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/boot.ipxe")).Status);
    }

    [Fact]
    public async Task Head_sends_the_get_head_without_a_body_so_the_connection_stays_in_step()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send("HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        var head = client.ReadResponse(headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("12", head.Header("Content-Length"));

        // Had the server sent a body, this GET's response would start with it and fail to parse.
        client.Send(HttpTestServer.Get("/a.txt"));
        var get = client.ReadResponse();
        Assert.Equal("hello, boot\n", get.Text);
        Assert.Equal(head.Header("ETag"), get.Header("ETag"));
    }

    [Fact]
    public async Task Uefi_http_boot_sequence_head_then_get_with_its_user_agent()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root => File.WriteAllBytes(Path.Combine(root, "ipxe.efi"), new byte[70_000]));
        using var client = server.Connect();
        client.Send("HEAD /ipxe.efi HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nUser-Agent: UefiHttpBoot/1.0\r\n\r\n");
        Assert.Equal("70000", client.ReadResponse(headRequest: true).Header("Content-Length"));
        client.Send("GET /ipxe.efi HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nUser-Agent: UefiHttpBoot/1.0\r\n\r\n");
        var get = client.ReadResponse();
        Assert.Equal(70_000, get.Body.Length);
        Assert.Equal("application/efi", get.Header("Content-Type"));

        var events = await server.WaitForEventsAsync(2);
        Assert.Equal(["HEAD", "GET"], events.Select(e => e.Method));
        Assert.All(events, e => Assert.Equal("UefiHttpBoot/1.0", e.UserAgent));
        Assert.Equal(0, events[0].BytesSent);
        Assert.Equal(70_000, events[1].BytesSent);
        Assert.Equal(70_000, events[1].ContentLength);
    }

    [Fact]
    public async Task Single_range_is_206_with_content_range()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=2-5"));
        Assert.Equal(206, response.Status);
        Assert.Equal("2345", response.Text);
        Assert.Equal("bytes 2-5/20", response.Header("Content-Range"));
        Assert.Equal("4", response.Header("Content-Length"));
    }

    [Fact]
    public async Task Suffix_range_is_the_last_bytes()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=-3"));
        Assert.Equal(206, response.Status);
        Assert.Equal("hij", response.Text);
        Assert.Equal("bytes 17-19/20", response.Header("Content-Range"));
    }

    [Fact]
    public async Task Open_ended_range_runs_to_the_end()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=15-"));
        Assert.Equal("fghij", response.Text);
        Assert.Equal("bytes 15-19/20", response.Header("Content-Range"));
    }

    [Fact]
    public async Task Multiple_ranges_are_multipart_byteranges_with_exact_length()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=0-1,-2"));
        Assert.Equal(206, response.Status);
        var type = response.Header("Content-Type")!;
        Assert.StartsWith("multipart/byteranges; boundary=", type, StringComparison.Ordinal);
        var boundary = type["multipart/byteranges; boundary=".Length..];
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        var expected = $"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/20\r\n\r\n01"
            + $"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 18-19/20\r\n\r\nij"
            + $"\r\n--{boundary}--\r\n";
        Assert.Equal(expected, response.Text);
    }

    [Fact]
    public async Task Unsatisfiable_range_is_416_with_the_length()
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=20-30"));
        Assert.Equal(416, response.Status);
        Assert.Equal("bytes */20", response.Header("Content-Range"));
    }

    [Fact]
    public async Task Malformed_range_is_ignored_and_range_on_head_too()
    {
        await using var server = await HttpTestServer.StartAsync();
        Assert.Equal(200, server.Request(HttpTestServer.Get("/digits.bin", "Range: bytes=9-2")).Status);
        var head = server.Request("HEAD /digits.bin HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n", headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("20", head.Header("Content-Length"));
    }

    [Fact]
    public async Task If_none_match_with_the_current_etag_is_304_without_body()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send(HttpTestServer.Get("/a.txt"));
        var etag = client.ReadResponse().Header("ETag")!;
        client.Send(HttpTestServer.Get("/a.txt", $"If-None-Match: \"other\", {etag}"));
        var notModified = client.ReadResponse();
        Assert.Equal(304, notModified.Status);
        Assert.Equal(etag, notModified.Header("ETag"));
        Assert.Null(notModified.Header("Content-Length"));
        client.Send(HttpTestServer.Get("/a.txt", "If-None-Match: \"stale\""));
        Assert.Equal(200, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/a.txt", "If-None-Match: *"));
        Assert.Equal(304, client.ReadResponse().Status);
    }

    [Fact]
    public async Task If_modified_since_compares_whole_seconds_and_loses_to_if_none_match()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send(HttpTestServer.Get("/a.txt"));
        var lastModified = client.ReadResponse().Header("Last-Modified")!;
        client.Send(HttpTestServer.Get("/a.txt", $"If-Modified-Since: {lastModified}"));
        Assert.Equal(304, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/a.txt", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"));
        Assert.Equal(200, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/a.txt", $"If-Modified-Since: {lastModified}", "If-None-Match: \"stale\""));
        Assert.Equal(200, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/a.txt", "If-Modified-Since: not a date"));
        Assert.Equal(200, client.ReadResponse().Status);
    }

    [Fact]
    public async Task If_range_honours_the_range_only_for_the_current_validator()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root => File.SetLastWriteTimeUtc(Path.Combine(root, "digits.bin"), DateTime.UtcNow.AddHours(-1)));
        using var client = server.Connect();
        client.Send(HttpTestServer.Get("/digits.bin"));
        var full = client.ReadResponse();
        var etag = full.Header("ETag")!;
        client.Send(HttpTestServer.Get("/digits.bin", "Range: bytes=0-0", $"If-Range: {etag}"));
        Assert.Equal(206, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/digits.bin", "Range: bytes=0-0", "If-Range: \"stale\""));
        var stale = client.ReadResponse();
        Assert.Equal(200, stale.Status);
        Assert.Equal(20, stale.Body.Length);
        client.Send(HttpTestServer.Get("/digits.bin", "Range: bytes=0-0", $"If-Range: W/{etag}"));
        Assert.Equal(200, client.ReadResponse().Status);
        client.Send(HttpTestServer.Get("/digits.bin", "Range: bytes=0-0", $"If-Range: {full.Header("Last-Modified")}"));
        Assert.Equal(206, client.ReadResponse().Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Keep_alive_serves_several_requests_on_one_connection(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive });
        using var client = server.Connect();
        var parksBefore = SocketPump.Parks;
        for (var i = 0; i < 10; i++)
        {
            client.Send(HttpTestServer.Get(i % 2 == 0 ? "/a.txt" : "/sub/deeper/b.txt"));
            var response = client.ReadResponse();
            Assert.Equal(200, response.Status);
            Assert.Null(response.Header("Connection"));
        }

        Assert.Equal(1, server.Server.Counters.AcceptedConnections);
        if (directReceive && DirectReceiver.IsSupported)
        {
            // Between requests the connection had nothing to read: it must have waited on a pump, not on the runtime.
            Assert.True(SocketPump.Parks > parksBefore, "the direct receive path never waited on a pump");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pipelined_requests_in_one_write_are_answered_in_order(bool directReceive)
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { DirectReceive = directReceive });
        using var client = server.Connect();
        client.Send(HttpTestServer.Get("/a.txt") + "HEAD /digits.bin HTTP/1.1\r\n\r\n" + HttpTestServer.Get("/missing") + HttpTestServer.Get("/sub/deeper/b.txt", "Connection: close"));
        Assert.Equal("hello, boot\n", client.ReadResponse().Text);
        Assert.Equal("20", client.ReadResponse(headRequest: true).Header("Content-Length"));
        Assert.Equal(404, client.ReadResponse().Status);
        var last = client.ReadResponse();
        Assert.Equal("nested\n", last.Text);
        Assert.Equal("close", last.Header("Connection"));
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task The_last_request_a_connection_may_make_says_connection_close()
    {
        await using var server = await HttpTestServer.StartAsync(o => o with { MaxRequestsPerConnection = 3 });
        using var client = server.Connect();
        for (var i = 0; i < 3; i++)
        {
            client.Send(HttpTestServer.Get("/a.txt"));
            Assert.Equal(i == 2 ? "close" : null, client.ReadResponse().Header("Connection"));
        }

        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Http10_closes_unless_it_asks_for_keep_alive()
    {
        await using var server = await HttpTestServer.StartAsync();
        using (var client = server.Connect())
        {
            client.Send("GET /a.txt HTTP/1.0\r\n\r\n");
            Assert.Equal("close", client.ReadResponse().Header("Connection"));
            Assert.True(client.IsClosedByServer());
        }

        using (var client = server.Connect())
        {
            client.Send("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", client.ReadResponse().Header("Connection"));
            client.Send("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal(200, client.ReadResponse().Status);
        }
    }

    [Fact]
    public async Task Doubled_slashes_serve_the_file_and_never_redirect()
    {
        await using var server = await HttpTestServer.StartAsync();
        foreach (var path in new[] { "//a.txt", "//sub//deeper//b.txt", "/sub///deeper/b.txt", "/sub/deeper/b.txt/" })
        {
            var response = server.Request(HttpTestServer.Get(path));
            Assert.Equal(200, response.Status);
            Assert.Null(response.Header("Location"));
        }

        var missing = server.Request(HttpTestServer.Get("//nope//x"));
        Assert.Equal(404, missing.Status);
        Assert.Null(missing.Header("Location"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sub")]
    [InlineData("/sub/")]
    [InlineData("/sub/deeper")]
    public async Task Directories_are_404_never_listed_never_redirected(string path)
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request(HttpTestServer.Get(path));
        Assert.Equal(404, response.Status);
        Assert.DoesNotContain("b.txt", response.Text, StringComparison.Ordinal);
        Assert.Null(response.Header("Location"));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_are_405_with_allow_and_close(string method)
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send($"{method} /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        var response = client.ReadResponse();
        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Unknown_method_is_501()
    {
        await using var server = await HttpTestServer.StartAsync();
        Assert.Equal(501, server.Request("BREW /pot HTTP/1.1\r\n\r\n").Status);
    }

    [Fact]
    public async Task A_get_with_a_body_is_answered_then_the_connection_closed()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var client = server.Connect();
        client.Send("GET /a.txt HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        var response = client.ReadResponse();
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Routes_answer_before_static_files_with_decoded_captures()
    {
        var routes = new HttpRouteTable()
            .Map("/boot/{mac}", c => HttpRouteContent.Text($"#!ipxe\necho mac {c["mac"]} from {c.Client.Address}\n"))
            .Map("/a.txt", _ => HttpRouteContent.Text("from the route\n"))
            .Map("/none/{x}", _ => null)
            .Map("/broken", _ => throw new InvalidOperationException("bug in a handler"));
        await using var server = await HttpTestServer.StartAsync(routes: routes);
        var script = server.Request(HttpTestServer.Get("/boot/52%3A54%3A00%3A12%3A34%3A56"));
        Assert.Equal(200, script.Status);
        Assert.Equal("#!ipxe\necho mac 52:54:00:12:34:56 from 127.0.0.1\n", script.Text);
        Assert.Equal("no-store", script.Header("Cache-Control"));
        Assert.Equal(script.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), script.Header("Content-Length"));

        var head = server.Request("HEAD /boot/52%3A54%3A00%3A12%3A34%3A56 HTTP/1.1\r\n\r\n", headRequest: true);
        Assert.Equal(script.Header("Content-Length"), head.Header("Content-Length"));

        Assert.Equal("from the route\n", server.Request(HttpTestServer.Get("/a.txt")).Text);
        Assert.Equal("nested\n", server.Request(HttpTestServer.Get("/sub/deeper/b.txt")).Text);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/none/thing")).Status);
        Assert.Equal(500, server.Request(HttpTestServer.Get("/broken")).Status);
        Assert.Equal(1, server.Server.Counters.HandlerFaults);

        // Each request used its own connection: events may interleave, so find them by what they were.
        var events = await server.WaitForEventsAsync(6);
        Assert.Equal("/boot/{mac}", events.First(e => e.Path == "/boot/52:54:00:12:34:56").Route);
        Assert.Equal("static", events.Single(e => e.Path == "/sub/deeper/b.txt").Route);
        Assert.Contains("bug in a handler", events.Single(e => e.StatusCode == 500).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_describe_each_request_and_counters_add_up()
    {
        await using var server = await HttpTestServer.StartAsync();
        using (var client = server.Connect())
        {
            client.Send(HttpTestServer.Get("/digits.bin", "Range: bytes=0-3", "User-Agent: iPXE/1.21.1"));
            client.ReadResponse();
            client.Send(HttpTestServer.Get("/missing.txt"));
            client.ReadResponse();
        }

        server.Request("GET /%zz HTTP/1.1\r\n\r\n");
        var events = await server.WaitForEventsAsync(3);

        var ranged = events.Single(e => e.StatusCode == 206);
        Assert.Equal("http", ranged.Source);
        Assert.Equal("GET", ranged.Method);
        Assert.Equal("/digits.bin", ranged.Path);
        Assert.Equal(206, ranged.StatusCode);
        Assert.Equal(4, ranged.BytesSent);
        Assert.Equal("bytes=0-3", ranged.Range);
        Assert.Equal("iPXE/1.21.1", ranged.UserAgent);
        Assert.Equal(IPAddress.Loopback, ranged.IPAddress);
        Assert.Null(ranged.MacAddress);
        Assert.True(ranged.Duration >= TimeSpan.Zero);

        Assert.Equal("/missing.txt", events.Single(e => e.StatusCode == 404).Path);
        var refused = events.Single(e => e.StatusCode == 400);
        Assert.Equal("GET /%zz HTTP/1.1", refused.Path);
        Assert.Contains("InvalidPath", refused.Reason, StringComparison.Ordinal);

        var counters = server.Server.Counters;
        Assert.Equal(3, counters.Requests);
        Assert.Equal(1, counters.Successful);
        Assert.Equal(2, counters.ClientErrors);
        Assert.Equal(1, counters.ParseErrors);
        Assert.True(counters.BytesSent >= 4);
        Assert.Equal(2, counters.AcceptedConnections);
        await WaitUntilAsync(() => counters.ActiveConnections == 0);
    }

    [Fact]
    public async Task A_busy_port_fails_the_start_naming_cause_and_fix()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        using var server = new HttpBootServer(new HttpServerOptions { ListenAddress = IPAddress.Loopback, Port = port, Root = Path.GetTempPath() });
        var run = server.RunAsync(new NodeFoundry.Events.BoundedEventChannel(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("--http-port", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.WhenListening);
    }

    [Fact]
    public async Task A_missing_root_serves_404_and_routes_still_work()
    {
        var routes = new HttpRouteTable().Map("/ping", _ => HttpRouteContent.Text("pong"));
        await using var server = await HttpTestServer.StartAsync(o => o with { Root = Path.Combine(o.Root, "does-not-exist") }, routes);
        Assert.False(server.Server.Files.RootExists);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/a.txt")).Status);
        Assert.Equal("pong", server.Request(HttpTestServer.Get("/ping")).Text);
    }

    [Fact]
    public void Options_from_the_fleet_file_take_address_port_and_root()
    {
        var fleet = NodeFoundry.Tests.Dhcp.LabFleetFixture.Config;
        var options = HttpServerOptions.FromFleet(fleet);
        Assert.Equal(fleet.Server.Address, options.ListenAddress);
        Assert.Equal(fleet.Server.HttpPort, options.Port);
        Assert.Equal(fleet.Server.HttpRoot, options.Root);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "condition not met within 10 s");
    }
}
