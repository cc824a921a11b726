using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// The HTTP boot server: everything after the NBP (iPXE scripts, kernels, initrds, answer files).
/// Written on System.Net.Sockets rather than Kestrel because it runs inside pwsh, which does not carry
/// the ASP.NET Core shared framework (docs/http-server.md). One task per connection; routes first, then
/// static files under the root; every connection bounded in time and count (see <see cref="HttpServerOptions"/>).
/// </summary>
public sealed class HttpBootServer : IBootService, IListeningService, IDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly HttpServerOptions _options;
    private readonly HttpRouteTable _routes;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IEgressMeter> _linkSharers = [];
    private IEgressMeter? _linkMeter;

    public HttpBootServer(HttpServerOptions options, HttpRouteTable? routes = null, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _routes = routes ?? new HttpRouteTable();
        _time = time ?? TimeProvider.System;
        Files = new StaticFileResolver(_options.Root);
    }

    public string Name => string.Create(CultureInfo.InvariantCulture, $"http@{_options.ListenAddress}:{LocalEndPoint?.Port ?? _options.Port}");

    public HttpServerCounters Counters { get; } = new();

    /// <summary>The routes answered before static files; map them before <see cref="RunAsync"/>.</summary>
    public HttpRouteTable Routes => _routes;

    /// <summary>The static file root, canonicalised.</summary>
    public StaticFileResolver Files { get; }

    public Task WhenListening => _listening.Task;

    /// <summary>
    /// Tells the egress pacer (<see cref="HttpServerOptions.EgressBytesPerSecond"/>) that <paramref name="meter"/>'s
    /// engine sends over the same link: its traffic is taken out of the budget before the downloads share the rest.
    /// Call before <see cref="RunAsync"/>; without a budget it changes nothing.
    /// </summary>
    public void ShareLinkWith(IEgressMeter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _linkSharers.Add(meter);
    }

    /// <summary>
    /// Gives the egress pacer the count of what the server's interface really sent, to correct the paced sum by
    /// (<see cref="EgressPacer.Correction"/>). Call before <see cref="RunAsync"/>; without a budget it changes nothing.
    /// </summary>
    public void MeasureLinkWith(IEgressMeter interfaceMeter) => _linkMeter = interfaceMeter ?? throw new ArgumentNullException(nameof(interfaceMeter));

    /// <summary>The bound endpoint (useful when <see cref="HttpServerOptions.Port"/> is 0 in tests).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        Socket listener;
        try
        {
            _options.Validate();
            listener = TcpSocketFactory.Listen("HTTP", new IPEndPoint(_options.ListenAddress, _options.Port), _options.Backlog);
        }
        catch (Exception ex)
        {
            _listening.TrySetException(ex);
            throw;
        }

        LocalEndPoint = (IPEndPoint?)listener.LocalEndPoint;
        var connections = new ConcurrentDictionary<Task, byte>();
        using var pacer = EgressPacer.Create(_options, _time, [.. _linkSharers], _linkMeter);
        Counters.UsePacing(pacer is null ? null : pacer.State);
        _listening.TrySetResult();
        try
        {
            using (cancellationToken.Register(static s => ((Socket)s!).Dispose(), listener))
            {
                await AcceptLoopAsync(listener, connections, events, pacer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Counters.UsePacing(null);
            listener.Dispose();

            // Connections watch the same token and close; give transfers in flight a bounded moment.
            try
            {
                await Task.WhenAll(connections.Keys).WaitAsync(StopGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Sockets were closed under them; their tasks end on their own.
            }
        }
    }

    private async Task AcceptLoopAsync(Socket listener, ConcurrentDictionary<Task, byte> connections, IBootEventSink events, EgressPacer? pacer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of descriptors or memory: back off instead of spinning; connections closing frees them.
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (SocketException)
            {
                // The client reset before we accepted it (ECONNABORTED and friends): nothing to do.
                continue;
            }

            if (Counters.ActiveConnections >= _options.MaxConnections)
            {
                Counters.CountRejected();
                _ = RejectAsync(client);
                continue;
            }

            client.NoDelay = true;
            var remote = client.RemoteEndPoint as IPEndPoint;
            Counters.ConnectionOpened();
            var connection = new HttpConnection(client, _options, _routes, Files, Counters, events, _time, pacer);
            var task = Task.Run(() => connection.RunAsync(cancellationToken), CancellationToken.None);
            connections.TryAdd(task, 0);
            _ = task.ContinueWith(
                t =>
                {
                    Counters.ConnectionClosed();
                    connections.TryRemove(t, out _);
                    if (t.Exception is { } fault)
                    {
                        // A bug, not a client problem: count it and say so; the server keeps serving.
                        Counters.CountHandlerFault();
                        events.Publish(new HttpRequestEvent
                        {
                            Method = string.Empty,
                            Path = string.Empty,
                            StatusCode = 500,
                            IPAddress = remote?.Address,
                            ClientPort = remote?.Port ?? 0,
                            Reason = $"connection failed: {fault.InnerException?.GetType().Name}: {fault.InnerException?.Message}",
                        });
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Over the connection limit: a short 503 (clients retry), then close; bounded by a two-second send.</summary>
    private static async Task RejectAsync(Socket client)
    {
        try
        {
            var body = "503 Service Unavailable\n"u8.ToArray();
            var head = new HttpResponseHead(503)
                .Add("Date", HttpDate.Format(DateTimeOffset.UtcNow))
                .Add("Retry-After", "1")
                .Add("Content-Type", ContentTypes.PlainText)
                .Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture))
                .Add("Connection", "close");
            var bytes = Encoding.ASCII.GetBytes(head.ToString()).Concat(body).ToArray();
            await ResponseSender.SendAllAsync(client, bytes, TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // It was going to be turned away anyway.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose() => _listening.TrySetCanceled();
}
