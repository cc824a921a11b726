using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// Both file send paths — the direct Linux sendfile path (<see cref="DirectFileSender"/>, parked on
/// <see cref="SocketPump"/>s) and the portable SendPacketsAsync path — give the same bytes, ranges, multipart
/// bodies, send timeouts and stops. Small socket buffers and small chunks make every transfer wait for its
/// reader, so the direct path's parking and resuming is what these tests exercise.
/// </summary>
public sealed class HttpSendPathTests
{
    private static byte[] Seeded(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Func<HttpServerOptions, HttpServerOptions> Path(bool direct, int chunk = 256 * 1024) =>
        o => o with { DirectSendfile = direct, SendChunkBytes = chunk };

    [Fact]
    public void On_Linux_the_direct_path_is_the_one_chosen()
    {
        Assert.Equal(OperatingSystem.IsLinux(), DirectFileSender.IsSupported);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_large_file_arrives_byte_exact_to_a_slow_reader_and_the_direct_path_waits_on_a_pump(bool direct)
    {
        var content = Seeded(24 << 20, 7);
        await using var server = await HttpTestServer.StartAsync(Path(direct), populate: root => File.WriteAllBytes(System.IO.Path.Combine(root, "kernel"), content));
        var parksBefore = SocketPump.Parks;
        using var client = server.Connect();
        client.Socket.ReceiveBufferSize = 64 * 1024;
        client.Send(HttpTestServer.Get("/kernel"));
        var response = client.ReadResponse();

        Assert.Equal(200, response.Status);
        Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(content, response.Body);
        var events = await server.WaitForEventsAsync(1);
        Assert.Equal(content.Length, events[0].BytesSent);
        Assert.Equal(content.Length, server.Server.Counters.BytesSent);
        if (direct && DirectFileSender.IsSupported)
        {
            // 24 MiB cannot fit in the socket buffers: the response must have parked at least once.
            Assert.True(SocketPump.Parks > parksBefore, "the direct path never waited on a pump");
        }

        // The connection is still good for the next request (keep-alive after a parked response).
        client.Send(HttpTestServer.Get("/digits.bin"));
        Assert.Equal("0123456789abcdefghij", client.ReadResponse().Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ranges_across_chunks_and_a_multipart_response_carry_exactly_the_requested_bytes(bool direct)
    {
        var content = Seeded(6 << 20, 11);
        await using var server = await HttpTestServer.StartAsync(Path(direct, chunk: 64 * 1024), populate: root => File.WriteAllBytes(System.IO.Path.Combine(root, "initrd"), content));
        using var client = server.Connect();
        client.Socket.ReceiveBufferSize = 32 * 1024;

        const int start = (1 << 20) + 3;
        const int count = (2 << 20) + 5;
        client.Send(HttpTestServer.Get("/initrd", $"Range: bytes={start}-{start + count - 1}"));
        var single = client.ReadResponse();
        Assert.Equal(206, single.Status);
        Assert.Equal($"bytes {start}-{start + count - 1}/{content.Length}", single.Header("Content-Range"));
        Assert.Equal(content.AsSpan(start, count).ToArray(), single.Body);

        (int Start, int End)[] ranges = [(0, 99), (500_000, 1_700_000), (content.Length - 300_000, content.Length - 1)];
        client.Send(HttpTestServer.Get("/initrd", "Range: bytes=" + string.Join(',', ranges.Select(r => $"{r.Start}-{r.End}"))));
        var multi = client.ReadResponse();
        Assert.Equal(206, multi.Status);
        var boundary = multi.Header("Content-Type")!.Split("boundary=")[1];
        var body = multi.Body;
        var at = 0;
        foreach (var (rangeStart, rangeEnd) in ranges)
        {
            var header = Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {rangeStart}-{rangeEnd}/{content.Length}\r\n\r\n");
            Assert.Equal(header, body.AsSpan(at, header.Length).ToArray());
            at += header.Length;
            var length = rangeEnd - rangeStart + 1;
            Assert.True(content.AsSpan(rangeStart, length).SequenceEqual(body.AsSpan(at, length)), $"part {rangeStart}-{rangeEnd} differs");
            at += length;
        }

        Assert.Equal(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"), body.AsSpan(at).ToArray());
        var events = await server.WaitForEventsAsync(2);
        Assert.Equal(count, events[0].BytesSent);
        Assert.Equal(body.Length, events[1].BytesSent);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_stops_reading_is_timed_out_and_its_connection_closed(bool direct)
    {
        await using var server = await HttpTestServer.StartAsync(
            o => Path(direct, chunk: 64 * 1024)(o) with { SendTimeout = TimeSpan.FromMilliseconds(500) },
            populate: root => File.WriteAllBytes(System.IO.Path.Combine(root, "big.bin"), new byte[32 << 20]));
        using var client = server.Connect();
        client.Socket.ReceiveBufferSize = 4096;
        client.Send(HttpTestServer.Get("/big.bin"));

        // Read nothing: the buffers fill, the send waits and must give up.
        var events = await server.WaitForEventsAsync(1);
        Assert.Equal(200, events[0].StatusCode);
        Assert.Contains("send timeout", events[0].Reason, StringComparison.Ordinal);
        Assert.True(events[0].BytesSent < events[0].ContentLength);
        Assert.True(server.Server.Counters.Timeouts >= 1);
        await HttpBootServerTests.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 0);
        Assert.Equal(0, server.Server.Counters.ActiveConnections);
        Assert.True(client.IsClosedByServer(bufferBytes: 1 << 20, maxReads: 256), "the server did not close the connection");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_the_server_ends_a_download_that_waits_for_its_reader(bool direct)
    {
        var server = await HttpTestServer.StartAsync(Path(direct), populate: root => File.WriteAllBytes(System.IO.Path.Combine(root, "big.bin"), new byte[32 << 20]));
        using var client = server.Connect();
        client.Socket.ReceiveBufferSize = 4096;
        client.Send(HttpTestServer.Get("/big.bin"));
        await HttpBootServerTests.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 1);

        // The send timeout is the default minute: only the stop can end this transfer within the dispose's bound.
        await server.DisposeAsync();
        Assert.Equal(0, server.Server.Counters.ActiveConnections);
        Assert.True(client.IsClosedByServer(bufferBytes: 1 << 20, maxReads: 256), "the connection outlived the server");
    }

    [Fact]
    public async Task A_direct_send_stopped_midway_is_finished_exactly_by_the_portable_path_from_where_it_stopped()
    {
        // What happens when sendfile refuses a file (EINVAL) after the head and some parts went: Remaining() must
        // describe exactly the bytes not yet in the kernel. Linux only (there is no direct path elsewhere).
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var content = Seeded(2 << 20, 5);
        var path = System.IO.Path.GetTempFileName();
        File.WriteAllBytes(path, content);
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, ReceiveTimeout = 10_000 };
            await client.ConnectAsync(listener.LocalEndPoint!);
            using var server = await listener.AcceptAsync();
            server.SendBufferSize = 16 * 1024;
            server.Blocking = false;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);

            var head = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("HTTP/1.1 206 head bytes\r\n", 40)));
            var separator = Encoding.ASCII.GetBytes("\r\n--separator--\r\n");
            List<ResponsePart> parts =
            [
                ResponsePart.FromMemory(Encoding.ASCII.GetBytes(new string('m', 5000))),
                ResponsePart.FromFile(100, 1 << 20),
                ResponsePart.FromMemory(separator),
                ResponsePart.FromFile(0, 300_000),
            ];
            var expected = head.Concat(new byte[5000].Select(_ => (byte)'m')).Concat(content.Skip(100).Take(1 << 20)).Concat(separator).Concat(content.Take(300_000)).ToArray();
            var bodyLength = expected.Length - head.Length;
            var options = new HttpServerOptions { SendChunkBytes = 64 * 1024 };

            var job = new SendfileJob((int)server.Handle, (int)file.SafeFileHandle.DangerousGetHandle(), head, parts, options, CancellationToken.None);
            Assert.Equal(SendfileStep.Blocked, job.Advance(long.MaxValue));
            Assert.True(job.BodySent > 0 && job.BodySent < bodyLength, $"sent {job.BodySent} of {bodyLength} before the buffers filled");

            var received = new MemoryStream();
            var reader = Task.Run(() =>
            {
                var buffer = new byte[65536];
                while (received.Length < expected.Length)
                {
                    var n = client.Receive(buffer);
                    if (n == 0)
                    {
                        break;
                    }

                    received.Write(buffer, 0, n);
                }
            });
            var (restHead, restParts) = job.Remaining();
            long rest = 0;
            await PortableFileSender.SendAsync(server, restHead, restParts, file, options, n => rest += n, CancellationToken.None);
            await reader.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(bodyLength, job.BodySent + rest);
            Assert.Equal(expected.Length, received.Length);
            Assert.True(expected.AsSpan().SequenceEqual(received.ToArray()), "the bytes differ from head + parts");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
