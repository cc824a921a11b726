using System.Security.Cryptography;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>Large files go by sendfile (SendPackets over the open file): byte-identical, ranges included.</summary>
public sealed class HttpLargeFileTests
{
    private const int Size = 64 << 20;

    private static void WriteSeeded(string path)
    {
        var random = new Random(64);
        var block = new byte[1 << 20];
        using var file = File.Create(path);
        for (var i = 0; i < Size / block.Length; i++)
        {
            random.NextBytes(block);
            file.Write(block);
        }
    }

    [Fact]
    public async Task A_64_MiB_file_arrives_byte_identical_with_exact_length_and_ranges_from_the_middle()
    {
        string? source = null;
        await using var server = await HttpTestServer.StartAsync(populate: root =>
        {
            source = Path.Combine(root, "initrd.img");
            WriteSeeded(source);
        });
        try
        {
            var expected = SHA256.HashData(File.ReadAllBytes(source!));
            using var client = server.Connect();
            client.Socket.ReceiveTimeout = 30_000;
            client.Send(HttpTestServer.Get("/initrd.img"));
            var response = client.ReadResponse();
            Assert.Equal(200, response.Status);
            Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
            Assert.Equal(expected, SHA256.HashData(response.Body));

            // On the same connection: a range across the 1 MiB send chunks, then a multi-range.
            const long start = (5L << 20) - 7;
            const long count = (3L << 20) + 11;
            client.Send(HttpTestServer.Get("/initrd.img", $"Range: bytes={start}-{start + count - 1}"));
            var part = client.ReadResponse();
            Assert.Equal(206, part.Status);
            using (var file = File.OpenRead(source!))
            {
                var slice = new byte[count];
                file.Position = start;
                file.ReadExactly(slice);
                Assert.Equal(SHA256.HashData(slice), SHA256.HashData(part.Body));
            }

            client.Send(HttpTestServer.Get("/initrd.img", "Range: bytes=0-99999,-200000"));
            var multi = client.ReadResponse();
            Assert.Equal(206, multi.Status);
            Assert.Equal(multi.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), multi.Header("Content-Length"));
            Assert.True(multi.Body.Length > 300_000);

            var events = await server.WaitForEventsAsync(3);
            Assert.Equal(Size, events[0].BytesSent);
            Assert.Equal(Size, server.Server.Counters.BytesSent - count - multi.Body.Length);
        }
        finally
        {
            File.Delete(source!);
        }
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_after_the_send_timeout()
    {
        await using var server = await HttpTestServer.StartAsync(
            o => o with { SendTimeout = TimeSpan.FromMilliseconds(500), SendChunkBytes = 64 * 1024 },
            populate: root => File.WriteAllBytes(Path.Combine(root, "big.bin"), new byte[32 << 20]));
        using var client = server.Connect();
        client.Socket.ReceiveBufferSize = 4096;
        client.Send(HttpTestServer.Get("/big.bin"));

        // Read nothing: the kernel buffers fill, the server's send stalls and must give up.
        await HttpBootServerTests.WaitUntilAsync(() => server.Server.Counters.Timeouts >= 1);
        var events = await server.WaitForEventsAsync(1);
        Assert.Contains("send timeout", events[0].Reason, StringComparison.Ordinal);
        Assert.True(events[0].BytesSent < events[0].ContentLength);
        await HttpBootServerTests.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 0);
    }
}
