using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Net;

namespace NodeFoundry.Simulation;

/// <summary>
/// The HTTP a booting iPXE speaks, and no more: GET over one keep-alive connection per server, status line and
/// Content-Length read, the body counted (or kept, for the script) and never buffered whole. Raw sockets rather
/// than HttpClient so every node can bind its own source address and a storm of thousands stays cheap.
/// Failures come back as <see cref="StormHttpResult"/>, never as exceptions.
/// </summary>
internal sealed class StormHttpConnection : IDisposable
{
    private const int HeadLimit = 16 * 1024;
    private const int ChunkBytes = 64 * 1024;
    private readonly IPAddress? _localAddress;
    private readonly TimeSpan _timeout;
    private Socket? _socket;
    private (string Host, int Port)? _peer;
    private byte[] _pending = [];
    private int _lowWater = 1;
    private int _pendingOffset;
    private int _pendingLength;

    public StormHttpConnection(IPAddress? localAddress, TimeSpan timeout)
    {
        _localAddress = localAddress;
        _timeout = timeout;
    }

    /// <summary>Connections opened (1 for a node whose script, kernel and initrd all came over one keep-alive connection).</summary>
    public int Connections { get; private set; }

    public async Task<StormHttpResult> GetAsync(Uri url, int keepBodyUpTo, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        try
        {
            await EnsureConnectedAsync(url, idle, cancel).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes(
                $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUser-Agent: iPXE/1.21.1 (NodeFoundry storm)\r\nConnection: keep-alive\r\n\r\n");
            idle.CancelAfter(_timeout);
            await _socket!.SendAsync(request, SocketFlags.None, idle.Token).ConfigureAwait(false);
            var head = await ReadHeadAsync(idle, cancel).ConfigureAwait(false);
            if (head is null)
            {
                Close();
                return StormHttpResult.Failed(StormFailureCause.ConnectionFailed, "the server closed the connection before a response");
            }

            if (!TryParseHead(head, out var status, out var contentLength, out var close, out var problem))
            {
                Close();
                return StormHttpResult.Failed(StormFailureCause.ProtocolViolation, problem);
            }

            var (bytes, body, complete) = await ReadBodyAsync(contentLength, keepBodyUpTo, idle, cancel).ConfigureAwait(false);
            if (close || contentLength is null)
            {
                Close();
            }

            if (!complete)
            {
                Close();
                return StormHttpResult.Failed(StormFailureCause.ConnectionFailed, $"the connection closed after {bytes} of {contentLength} bytes") with { Bytes = bytes };
            }

            return status == 200
                ? new StormHttpResult(null, null, status, bytes, body)
                : StormHttpResult.Failed(StormFailureCause.ServerError, $"HTTP {status} for {url}") with { Status = status, Bytes = bytes };
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            Close();
            return StormHttpResult.Failed(StormFailureCause.Timeout, $"no progress for {_timeout.TotalSeconds:0.#} s on {url}");
        }
        catch (SocketException ex)
        {
            Close();
            return StormHttpResult.Failed(StormFailureCause.ConnectionFailed, $"{url}: {ex.SocketErrorCode} {ex.Message}");
        }
    }

    public void Dispose() => Close();

    private async Task EnsureConnectedAsync(Uri url, CancellationTokenSource idle, CancellationToken cancel)
    {
        if (_socket is not null && _peer == (url.Host, url.Port))
        {
            return;
        }

        Close();
        var address = IPAddress.Parse(url.Host);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_localAddress is not null)
            {
                socket.Bind(new IPEndPoint(_localAddress, 0));
            }

            idle.CancelAfter(_timeout);
            await socket.ConnectAsync(new IPEndPoint(address, url.Port), idle.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        cancel.ThrowIfCancellationRequested();
        _socket = socket;
        _lowWater = 1;
        _peer = (url.Host, url.Port);
        _pending = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        _pendingOffset = 0;
        _pendingLength = 0;
        Connections++;
    }

    /// <summary>Reads up to the blank line; what follows it stays in the buffer for the body.</summary>
    private async Task<string?> ReadHeadAsync(CancellationTokenSource idle, CancellationToken cancel)
    {
        while (true)
        {
            var end = _pending.AsSpan(_pendingOffset, _pendingLength).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_pending, _pendingOffset, end);
                _pendingOffset += end + 4;
                _pendingLength -= end + 4;
                return head;
            }

            if (_pendingLength >= HeadLimit)
            {
                return null;
            }

            if (_pendingOffset > 0)
            {
                Buffer.BlockCopy(_pending, _pendingOffset, _pending, 0, _pendingLength);
                _pendingOffset = 0;
            }

            idle.CancelAfter(_timeout);
            var read = await _socket!.ReceiveAsync(_pending.AsMemory(_pendingLength), SocketFlags.None, idle.Token).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            if (read == 0)
            {
                return null;
            }

            _pendingLength += read;
        }
    }

    private async Task<(long Bytes, byte[]? Body, bool Complete)> ReadBodyAsync(long? contentLength, int keepBodyUpTo, CancellationTokenSource idle, CancellationToken cancel)
    {
        var kept = keepBodyUpTo > 0 ? new MemoryStream() : null;
        long bytes = 0;
        try
        {
            while (contentLength is null || bytes < contentLength)
            {
                if (_pendingLength == 0)
                {
                    // A paced server sends a download in 2-segment bursts: without a low-water mark every burst is a
                    // wake-up, and 2,000 simulated nodes spent the CPU the server under test needed.
                    SetLowWater(contentLength is { } length ? (int)Math.Min(ChunkBytes, length - bytes) : 1);
                    idle.CancelAfter(_timeout);
                    var read = await _socket!.ReceiveAsync(_pending, SocketFlags.None, idle.Token).ConfigureAwait(false);
                    cancel.ThrowIfCancellationRequested();
                    if (read == 0)
                    {
                        return (bytes, kept?.ToArray(), contentLength is null);
                    }

                    _pendingOffset = 0;
                    _pendingLength = read;
                }

                var take = contentLength is { } total ? (int)Math.Min(_pendingLength, total - bytes) : _pendingLength;
                if (kept is not null && kept.Length + take <= keepBodyUpTo)
                {
                    kept.Write(_pending, _pendingOffset, take);
                }

                bytes += take;
                _pendingOffset += take;
                _pendingLength -= take;
            }

            return (bytes, kept?.ToArray(), true);
        }
        finally
        {
            SetLowWater(1); // the next response's head may be a few bytes
        }
    }

    /// <summary>
    /// SO_RCVLOWAT: the socket becomes readable only with this many bytes (or at the end of the stream). Never more than
    /// the body still expects, or its last bytes would never wake the reader. Linux only; a failure leaves it at 1.
    /// </summary>
    private void SetLowWater(int bytes)
    {
        bytes = Math.Max(bytes, 1);
        if (bytes == _lowWater || !OperatingSystem.IsLinux() || _socket is null)
        {
            return;
        }

        try
        {
            _socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoRcvLowat, BitConverter.GetBytes(bytes));
            _lowWater = bytes;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Without it the reads are only smaller.
        }
    }

    private static bool TryParseHead(string head, out int status, out long? contentLength, out bool close, out string problem)
    {
        status = 0;
        contentLength = null;
        close = false;
        problem = "";
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out status))
        {
            problem = $"not an HTTP/1.x status line: '{lines[0]}'";
            return false;
        }

        close = statusLine[0] == "HTTP/1.0";
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    problem = $"bad Content-Length '{value}'";
                    return false;
                }

                contentLength = length;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !value.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                // Boot servers send Content-Length for files (EDK2 needs it); a chunked answer is not one to count.
                problem = $"Transfer-Encoding {value} (a boot file needs Content-Length)";
                return false;
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Equals("close", StringComparison.OrdinalIgnoreCase)
                    || (close && !value.Equals("keep-alive", StringComparison.OrdinalIgnoreCase));
            }
        }

        return true;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _peer = null;
        if (_pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = [];
        }

        _pendingOffset = 0;
        _pendingLength = 0;
    }
}

/// <summary>One GET's outcome: status and bytes, the body when it was kept, or the failure's cause and words.</summary>
internal sealed record StormHttpResult(StormFailureCause? Cause, string? Detail, int Status, long Bytes, byte[]? Body)
{
    public bool Succeeded => Cause is null;

    public static StormHttpResult Failed(StormFailureCause cause, string detail) => new(cause, detail, 0, 0, null);
}
