using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeFoundry.Tests.Http;

/// <summary>A response as read off the wire.</summary>
internal sealed record RawHttpResponse(int Status, string StatusLine, Dictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>
/// A deliberately dumb HTTP client over a raw socket, so tests control every byte sent (pipelining,
/// malformed heads, trickling) and see every byte received. Every read has a receive timeout.
/// </summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];

    public RawHttpClient(IPEndPoint server, int timeoutMs = 10_000)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = timeoutMs, SendTimeout = timeoutMs, NoDelay = true };
        _socket.Connect(server);
    }

    public Socket Socket => _socket;

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(byte[] bytes) => _socket.Send(bytes);

    /// <summary>Reads one response; the body by Content-Length (none for HEAD, 304, or when <paramref name="headRequest"/>).</summary>
    public RawHttpResponse ReadResponse(bool headRequest = false)
    {
        var headEnd = FillUntil("\r\n\r\n"u8.ToArray());
        var headText = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
        _pending.RemoveRange(0, headEnd + 4);
        var lines = headText.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"malformed response header line '{line}'");
            Assert.False(headers.ContainsKey(line[..colon]), $"duplicate response header {line[..colon]}");
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var length = headRequest || status == 304 ? 0 : headers.TryGetValue("Content-Length", out var text) ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = ReadExactly(length);
        return new RawHttpResponse(status, lines[0], headers, body);
    }

    public byte[] ReadExactly(long count)
    {
        var body = new byte[count];
        var have = (int)Math.Min(count, _pending.Count);
        _pending.CopyTo(0, body, 0, have);
        _pending.RemoveRange(0, have);
        while (have < count)
        {
            var n = _socket.Receive(body, have, (int)Math.Min(count - have, 1 << 20), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException($"connection closed after {have} of {count} body bytes");
            }

            have += n;
        }

        return body;
    }

    /// <summary>The async twin of <see cref="Send(string)"/> and <see cref="ReadResponse"/>, for tests with hundreds of clients (blocking reads would starve the thread pool the server runs on).</summary>
    public async Task<RawHttpResponse> ExchangeAsync(string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        var buffer = new byte[65536];
        for (var i = 0; i < 10_000; i++)
        {
            var headEnd = IndexOf(_pending, "\r\n\r\n"u8.ToArray());
            if (headEnd >= 0)
            {
                var headText = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
                var length = headText.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                if (_pending.Count >= headEnd + 4 + length)
                {
                    return ReadResponse();
                }
            }

            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new IOException("connection closed before a complete response");
            }

            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        throw new IOException("no complete response after 10,000 reads");
    }

    /// <summary>
    /// True when the server closed (EOF or reset) within the receive timeout; what it still sends first is read and
    /// dropped, in at most <paramref name="maxReads"/> reads of <paramref name="bufferBytes"/>.
    /// </summary>
    public bool IsClosedByServer(int bufferBytes = 4096, int maxReads = 1000)
    {
        var buffer = new byte[bufferBytes];
        try
        {
            for (var i = 0; i < maxReads; i++)
            {
                var n = _socket.Receive(buffer);
                if (n == 0)
                {
                    return true;
                }
            }

            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
    }

    private int FillUntil(byte[] marker)
    {
        var buffer = new byte[65536];
        for (var i = 0; i < 10_000; i++)
        {
            var index = IndexOf(_pending, marker);
            if (index >= 0)
            {
                return index;
            }

            var n = _socket.Receive(buffer);
            if (n == 0)
            {
                throw new IOException($"connection closed before a complete response head; got: {Encoding.Latin1.GetString(_pending.ToArray())}");
            }

            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        throw new IOException("no response head after 10,000 reads");
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    public void Dispose() => _socket.Dispose();
}
