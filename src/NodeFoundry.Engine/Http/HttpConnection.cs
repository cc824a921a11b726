using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Events;

namespace NodeFoundry.Http;

/// <summary>
/// One client connection: read a head, answer it, repeat while keep-alive holds. Requests are handled
/// strictly one after another, and bytes that arrived behind a head (a pipelined next request) stay in
/// the buffer for the next turn, so pipelining is safe without any concurrency inside a connection.
/// Every wait has a deadline: <see cref="HttpServerOptions.IdleTimeout"/> between requests,
/// <see cref="HttpServerOptions.RequestTimeout"/> for a whole head (slowloris), and
/// <see cref="HttpServerOptions.SendTimeout"/> per chunk sent (a client that stops reading).
/// </summary>
internal sealed class HttpConnection
{
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly IPEndPoint _client;
    private readonly HttpServerOptions _options;
    private readonly HttpRouteTable _routes;
    private readonly StaticFileResolver _files;
    private readonly HttpServerCounters _counters;
    private readonly IBootEventSink _events;
    private readonly TimeProvider _time;
    private readonly EgressPacer? _pacer;

    public HttpConnection(Socket socket, HttpServerOptions options, HttpRouteTable routes, StaticFileResolver files, HttpServerCounters counters, IBootEventSink events, TimeProvider time, EgressPacer? pacer = null)
    {
        _socket = socket;
        _client = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        _options = options;
        _routes = routes;
        _files = files;
        _counters = counters;
        _events = events;
        _time = time;
        _pacer = pacer;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.Limits.MaxHeadBytes);
        var filled = 0;
        var graceful = true;
        DirectReceiver? direct = null;
        try
        {
            direct = _options.DirectReceive && DirectReceiver.IsSupported ? new DirectReceiver(_socket, stop) : null;
            for (var served = 0; served < _options.MaxRequestsPerConnection && !stop.IsCancellationRequested; served++)
            {
                var started = filled > 0 ? _time.GetTimestamp() : 0;
                HttpParseResult parsed;
                var scanFrom = 0;
                while (true)
                {
                    parsed = filled > 0 && HttpRequestParser.MayDecide(buffer.AsSpan(0, filled), scanFrom, _options.Limits)
                        ? HttpRequestParser.Parse(buffer.AsSpan(0, filled), _options.Limits)
                        : HttpParseResult.NeedMore;
                    if (parsed.Status != HttpParseStatus.Incomplete)
                    {
                        break;
                    }

                    if (filled == buffer.Length)
                    {
                        // Cannot happen with consistent limits (the parser reports 414/431 first); a guard, not a path.
                        parsed = HttpParseResult.Fail(HttpParseError.HeadersTooLarge);
                        break;
                    }

                    // The first request must start promptly; later ones may wait the keep-alive idle time.
                    var wait = filled == 0
                        ? served == 0 ? _options.RequestTimeout : _options.IdleTimeout
                        : _options.RequestTimeout - _time.GetElapsedTime(started);
                    scanFrom = filled;
                    var received = await ReceiveAsync(direct, buffer.AsMemory(filled), wait, stop).ConfigureAwait(false);
                    if (received < 0)
                    {
                        _counters.CountTimeout();
                        if (filled > 0)
                        {
                            // A head was started and not finished in time: say so (best effort) and hang up.
                            graceful = false;
                            await TrySendAndLogErrorAsync(408, started, buffer.AsMemory(0, filled), "request head not complete within the request timeout", stop).ConfigureAwait(false);
                        }

                        return;
                    }

                    if (received == 0)
                    {
                        return;
                    }

                    if (filled == 0)
                    {
                        started = _time.GetTimestamp();
                    }

                    filled += received;
                }

                if (parsed.Status == HttpParseStatus.Error)
                {
                    _counters.CountParseError();
                    await TrySendAndLogErrorAsync(parsed.StatusCode, started, buffer.AsMemory(0, filled), $"malformed request: {parsed.Error}", stop).ConfigureAwait(false);
                    return;
                }

                var request = parsed.Request!;
                Buffer.BlockCopy(buffer, parsed.Consumed, buffer, 0, filled - parsed.Consumed);
                filled -= parsed.Consumed;
                if (direct is not null && request.Method == "POST")
                {
                    // Possibly resumed on a pump thread that other connections wait on, and a POST route may write to
                    // disk (phone-home): answer it from the thread pool.
                    await Task.Yield();
                }

                var last = served + 1 >= _options.MaxRequestsPerConnection;
                var keepGoing = await AnswerAsync(request, started, last, stop).ConfigureAwait(false);
                if (!keepGoing)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, a send timed out, or the server is stopping: the connection just ends.
            graceful = false;
        }
        finally
        {
            direct?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            await CloseAsync(graceful).ConfigureAwait(false);
        }
    }

    /// <summary>Bytes received, 0 when the client closed, -1 on timeout. Throws when stopping.</summary>
    private ValueTask<int> ReceiveAsync(DirectReceiver? direct, Memory<byte> memory, TimeSpan wait, CancellationToken stop)
    {
        if (wait <= TimeSpan.Zero)
        {
            return ValueTask.FromResult(-1);
        }

        // Not awaited here: the direct receive is handed through, so a parked request costs one async frame, not two.
        // Saturated: a timeout configured as "practically never" must not wrap around into the past.
        return direct is not null
            ? direct.ReceiveAsync(memory, Environment.TickCount64 + (long)Math.Min(Math.Ceiling(wait.TotalMilliseconds), long.MaxValue / 4))
            : ReceivePortableAsync(memory, wait, stop);
    }

    /// <summary>The runtime's asynchronous receive, bounded by a linked token source (other systems, or <see cref="HttpServerOptions.DirectReceive"/> off).</summary>
    private async ValueTask<int> ReceivePortableAsync(Memory<byte> memory, TimeSpan wait, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(wait);
        try
        {
            return await _socket.ReceiveAsync(memory, SocketFlags.None, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return -1;
        }
    }

    /// <summary>Answers one request; false when the connection must close afterwards.</summary>
    private async Task<bool> AnswerAsync(HttpRequest request, long started, bool last, CancellationToken stop)
    {
        using var response = Build(request);
        if (!request.KeepAlive || request.HasBody || last)
        {
            // We read no request bodies, so after one the next request's start is unknown: close.
            // On the last request a connection may make, say so rather than just hanging up.
            response.Close = true;
        }

        if (response.Close)
        {
            response.Head.Add("Connection", "close");
        }
        else if (request.Version == HttpVersion.Version10)
        {
            response.Head.Add("Connection", "keep-alive");
        }

        long sent = 0;
        string? failure = null;
        try
        {
            await ResponseSender.SendAsync(_socket, response, request.Method != "HEAD", _options, _pacer, n => sent += n, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            failure = ex is OperationCanceledException && !stop.IsCancellationRequested
                ? "client did not read the response within the send timeout"
                : $"connection lost while sending: {ex.GetType().Name}";
            if (ex is OperationCanceledException && !stop.IsCancellationRequested)
            {
                _counters.CountTimeout();
            }

            Publish(request.Method, request.Path, response, started, sent, request, failure);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug on our side of the send: count it, say what it was, and end only this connection.
            _counters.CountHandlerFault();
            Publish(request.Method, request.Path, response, started, sent, request, $"internal error while sending: {ex.GetType().Name}: {ex.Message}");
            return false;
        }

        Publish(request.Method, request.Path, response, started, sent, request, response.Reason);
        return !response.Close;
    }

    private HttpResponse Build(HttpRequest request)
    {
        var now = _time.GetUtcNow();
        var matched = _routes.TryMatch(request.Segments, out var route, out var values);
        var postAllowed = request.Method == "POST" && matched && route!.AcceptsPost;
        if (request.Method is not ("GET" or "HEAD") && !postAllowed)
        {
            var refused = Error(405, now, $"method {request.Method} is not served", request.Method == "HEAD");
            refused.Head.Add("Allow", matched && route!.AcceptsPost ? "GET, HEAD, POST" : "GET, HEAD");
            refused.Close = true;
            return refused;
        }

        var head = request.Method == "HEAD";
        if (matched)
        {
            HttpRouteContent? content;
            var context = new HttpRouteContext(request, values, _client);
            try
            {
                content = route!.Handler(context);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _counters.CountHandlerFault();
                var fault = Error(500, now, $"route {route!.Pattern} failed: {ex.GetType().Name}: {ex.Message}", head);
                fault.Route = route.Pattern;
                fault.MacAddress = context.MacAddress;
                return fault;
            }

            if (content is null)
            {
                var missing = Error(404, now, null, head);
                missing.Route = route!.Pattern;
                missing.MacAddress = context.MacAddress;
                return missing;
            }

            var dynamicHead = NewHead(content.StatusCode, now).Add("Cache-Control", "no-store");
            var response = new HttpResponse(dynamicHead) { Route = route!.Pattern, MacAddress = context.MacAddress, Reason = content.Reason };
            if (content.StatusCode is not (204 or 304))
            {
                dynamicHead.Add("Content-Type", content.ContentType)
                    .Add("Content-Length", content.Body.Length.ToString(CultureInfo.InvariantCulture));
                response.ContentLength = content.Body.Length;
                if (!content.Body.IsEmpty)
                {
                    response.Parts.Add(ResponsePart.FromMemory(content.Body));
                }
            }

            return response;
        }

        var file = _files.Resolve(request.Segments);
        if (file is null)
        {
            var missing = Error(404, now, null, head);
            missing.Route = "static";
            return missing;
        }

        try
        {
            var response = StaticFileResponder.Build(request, file, _options, now, status => NewHead(status, now), _files.SmallFiles);
            response.Route = "static";
            return response;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between resolving and opening.
            return Error(404, now, null, head);
        }
        catch (UnauthorizedAccessException)
        {
            // Tell the operator, not the world: the event says which file; the client sees a plain 403.
            return Error(403, now, $"permission denied reading {file.FullName}", head);
        }
        catch (IOException ex)
        {
            return Error(500, now, $"reading {file.FullName} failed: {ex.Message}", head);
        }
    }

    private HttpResponseHead NewHead(int status, DateTimeOffset now) =>
        new HttpResponseHead(status).Add("Date", HttpDate.Format(now)).Add("Server", _options.ServerName);

    /// <summary>A short text error with an exact Content-Length; errors from 400 up close the connection.</summary>
    private HttpResponse Error(int status, DateTimeOffset now, string? reason, bool headOnly)
    {
        var body = Encoding.ASCII.GetBytes($"{status} {HttpStatus.ReasonPhrase(status)}\n");
        var head = NewHead(status, now)
            .Add("Content-Type", ContentTypes.PlainText)
            .Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        var response = new HttpResponse(head) { ContentLength = body.Length, Reason = reason };

        // 404 keeps the connection: iPXE probing for optional files (per-node first, then default) on one
        // connection is normal. Everything else that is an error may mean we lost the framing.
        response.Close = status != 404;
        if (!headOnly)
        {
            response.Parts.Add(ResponsePart.FromMemory(body));
        }

        return response;
    }

    /// <summary>Sends an error for a head we could not parse (or finish) and logs it; never throws.</summary>
    private async Task TrySendAndLogErrorAsync(int status, long started, ReadOnlyMemory<byte> received, string reason, CancellationToken stop)
    {
        using var response = Error(status, _time.GetUtcNow(), reason, headOnly: false);
        response.Head.Add("Connection", "close");
        long sent = 0;
        try
        {
            await ResponseSender.SendAsync(_socket, response, withBody: true, _options with { SendTimeout = LingerTime }, pacer: null, n => sent += n, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            reason += "; the error response could not be delivered";
        }

        Publish(string.Empty, Snippet(received.Span), response, started, sent, null, reason);
    }

    private void Publish(string method, string path, HttpResponse response, long started, long sent, HttpRequest? request, string? reason)
    {
        _counters.CountRequest(response.Head.StatusCode, sent, response.Route);
        _events.Publish(new HttpRequestEvent
        {
            IPAddress = _client.Address,
            MacAddress = response.MacAddress,
            ClientPort = _client.Port,
            Method = method,
            Path = path,
            StatusCode = response.Head.StatusCode,
            BytesSent = sent,
            ContentLength = response.ContentLength,
            Duration = started == 0 ? TimeSpan.Zero : _time.GetElapsedTime(started),
            UserAgent = request?.UserAgent,
            Range = request?.Headers.Get("Range"),
            Route = response.Route,
            Reason = reason,
        });
    }

    /// <summary>The start of what a client sent, printable, for the log of a refused request.</summary>
    private static string Snippet(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOfAny((byte)'\r', (byte)'\n');
        var line = received[..Math.Min(end < 0 ? received.Length : end, 120)];
        var builder = new StringBuilder(line.Length);
        foreach (var b in line)
        {
            builder.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Half-closes, then drains what the client is still sending for a moment before closing. Closing
    /// with unread bytes makes the kernel send RST, which can destroy an error response (431, 414)
    /// before the client has read it: the "lingering close" every hardened server does.
    /// </summary>
    private async Task CloseAsync(bool graceful)
    {
        try
        {
            if (graceful)
            {
                _socket.Shutdown(SocketShutdown.Send);
                using var linger = new CancellationTokenSource(LingerTime);
                var sink = ArrayPool<byte>.Shared.Rent(16384);
                try
                {
                    for (var i = 0; i < 64; i++)
                    {
                        if (await _socket.ReceiveAsync(sink.AsMemory(), SocketFlags.None, linger.Token).ConfigureAwait(false) <= 0)
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(sink);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already gone, or the client kept sending past the linger time: close regardless.
        }
        finally
        {
            _socket.Dispose();
        }
    }
}
