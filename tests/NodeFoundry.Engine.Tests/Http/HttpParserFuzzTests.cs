using System.Text;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// Seeded mutation fuzzing: 100,000 corrupted variants of real client heads. No exception may escape,
/// and every outcome must be well-formed: a complete parse consumed a sane count and produced only safe
/// segments; an error maps to one of the statuses the server sends.
/// </summary>
public sealed class HttpParserFuzzTests
{
    private static readonly string[] Corpus =
    [
        "GET /boot/52%3A54%3A00%3A12%3A34%3A56 HTTP/1.1\r\nConnection: keep-alive\r\nUser-Agent: iPXE/1.21.1\r\nHost: 192.0.2.1\r\n\r\n",
        "HEAD /ipxe.efi HTTP/1.1\r\nHost: 192.0.2.1\r\nAccept: */*\r\nUser-Agent: UefiHttpBoot/1.0\r\n\r\n",
        "GET /ubuntu/vmlinuz HTTP/1.1\r\nHost: 192.0.2.1\r\nRange: bytes=0-1023,-512\r\nIf-Range: \"1a-2b\"\r\n\r\n",
        "GET http://192.0.2.1/nocloud/52:54:00:aa:bb:cc/user-data?x=1&y=%20 HTTP/1.0\r\nIf-None-Match: \"x\", W/\"y\"\r\n\r\n",
        "GET /a/b/c.txt HTTP/1.1\nHost: x\nContent-Length: 0\n\n",
    ];

    private static readonly string[] Tokens =
    [
        "%", "%2e", "%2E%2e", "%2f", "%5c", "%00", "%ff", "..", ".", "/", "\\", "\0", " ", "\t", ":", "\r", "\n", "\r\n", "\r\n\r\n",
        "HTTP/1.1", "HTTP/9.9", "Host: x\r\n", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n", "?", "#", "\u00ff", "http://",
    ];

    [Fact]
    public void Hundred_thousand_mutated_heads_never_throw_and_always_yield_a_sane_value()
    {
        var random = new Random(20261122);
        var limits = new HttpRequestLimits { MaxRequestLineBytes = 256, MaxHeaderBytes = 512, MaxHeaderCount = 8 };
        var outcomes = new Dictionary<HttpParseStatus, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var bytes = Mutate(Encoding.Latin1.GetBytes(Corpus[random.Next(Corpus.Length)]), random);
            var chosen = i % 2 == 0 ? limits : new HttpRequestLimits();
            var result = HttpRequestParser.Parse(bytes, chosen);
            outcomes[result.Status] = outcomes.GetValueOrDefault(result.Status) + 1;

            // The connection parses only when MayDecide says so: it must never hide a complete head or a size limit.
            if (result.Status == HttpParseStatus.Complete || result.Error is HttpParseError.RequestLineTooLong or HttpParseError.HeadersTooLarge)
            {
                Assert.True(HttpRequestParser.MayDecide(bytes, 0, chosen), $"MayDecide hid a {result.Status} {result.Error} in case {i}");
            }

            switch (result.Status)
            {
                case HttpParseStatus.Complete:
                    Assert.InRange(result.Consumed, 1, bytes.Length);
                    Assert.All(result.Request!.Segments, s => Assert.True(HttpPath.IsSafeSegment(s), $"unsafe segment '{s}' from case {i}"));
                    Assert.NotNull(result.Request.Path);
                    _ = result.Request.KeepAlive;
                    break;
                case HttpParseStatus.Error:
                    Assert.Contains(result.StatusCode, new[] { 400, 414, 431, 501, 505 });
                    break;
                default:
                    Assert.Null(result.Request);
                    break;
            }
        }

        // The mutations must exercise every outcome, or the test proves little.
        Assert.True(outcomes.GetValueOrDefault(HttpParseStatus.Complete) > 1000, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(HttpParseStatus.Error) > 1000, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(HttpParseStatus.Incomplete) > 100, string.Join(", ", outcomes));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            var result = HttpRequestParser.Parse(bytes, new HttpRequestLimits { MaxRequestLineBytes = 128, MaxHeaderBytes = 128 });
            Assert.Equal(result.Status == HttpParseStatus.Complete, result.Request is not null);
        }
    }

    internal static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var count = random.Next(1, 5);
        for (var m = 0; m < count; m++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.Latin1.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(random.Next(1, 64), bytes.Count - at);
                    var copies = random.Next(1, 20);
                    var chunk = bytes.GetRange(at, length);
                    for (var c = 0; c < copies; c++)
                    {
                        bytes.InsertRange(at, chunk);
                    }

                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.InsertRange(at, Encoding.Latin1.GetBytes(new string('a', random.Next(1, 600))));
                    break;
            }
        }

        return [.. bytes];
    }
}
