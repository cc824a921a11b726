using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// A running <see cref="HttpBootServer"/> on 127.0.0.1 with a port the kernel picks and its own temp
/// folder (root plus a sibling outside it for traversal tests); disposing stops it and deletes both.
/// </summary>
internal sealed class HttpTestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private HttpTestServer(DirectoryInfo folder, HttpServerOptions options, HttpRouteTable? routes)
    {
        Folder = folder;
        Server = new HttpBootServer(options, routes);
        _run = Server.RunAsync(Events, _stop.Token);
    }

    /// <summary>The temp folder: the root is <c>http</c> inside it; <c>outside.txt</c> and <c>http-private/</c> sit beside it.</summary>
    public DirectoryInfo Folder { get; }

    public string Root => Path.Combine(Folder.FullName, "http");

    public HttpBootServer Server { get; }

    public BoundedEventChannel Events { get; } = new(100_000);

    public IPEndPoint EndPoint => Server.LocalEndPoint!;

    public string Url(string path) => $"http://127.0.0.1:{EndPoint.Port}{path}";

    public static async Task<HttpTestServer> StartAsync(Func<HttpServerOptions, HttpServerOptions>? configure = null, HttpRouteTable? routes = null, Action<string>? populate = null)
    {
        var folder = Directory.CreateTempSubdirectory("nf-http-");
        var root = Directory.CreateDirectory(Path.Combine(folder.FullName, "http")).FullName;
        File.WriteAllText(Path.Combine(root, "a.txt"), "hello, boot\n");
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        File.WriteAllText(Path.Combine(root, "sub", "deeper", "b.txt"), "nested\n");
        File.WriteAllBytes(Path.Combine(root, "digits.bin"), "0123456789abcdefghij"u8.ToArray());
        File.WriteAllText(Path.Combine(folder.FullName, "outside.txt"), "SECRET-OUTSIDE\n");
        Directory.CreateDirectory(Path.Combine(folder.FullName, "http-private"));
        File.WriteAllText(Path.Combine(folder.FullName, "http-private", "secret.txt"), "SECRET-SIBLING\n");
        populate?.Invoke(root);

        var options = new HttpServerOptions
        {
            ListenAddress = IPAddress.Loopback,
            Port = 0,
            Root = root,
            RequestTimeout = TimeSpan.FromSeconds(5),
            IdleTimeout = TimeSpan.FromSeconds(5),
        };
        var server = new HttpTestServer(folder, configure is null ? options : configure(options), routes);
        await server.Server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        return server;
    }

    public RawHttpClient Connect() => new(EndPoint);

    /// <summary>One request on a fresh connection.</summary>
    public RawHttpResponse Request(string head, bool headRequest = false)
    {
        using var client = Connect();
        client.Send(head);
        return client.ReadResponse(headRequest);
    }

    public static string Get(string path, params string[] headers) =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n";

    /// <summary>The events published so far (drains the channel).</summary>
    public List<HttpRequestEvent> DrainEvents()
    {
        var list = new List<HttpRequestEvent>();
        while (Events.Reader.TryRead(out var e))
        {
            if (e is HttpRequestEvent http)
            {
                list.Add(http);
            }
        }

        return list;
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> request events arrived; events are published after the response is sent.</summary>
    public async Task<List<HttpRequestEvent>> WaitForEventsAsync(int count)
    {
        var list = new List<HttpRequestEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (list.Count < count)
        {
            var e = await Events.Reader.ReadAsync(timeout.Token);
            if (e is HttpRequestEvent http)
            {
                list.Add(http);
            }
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(20));
        Server.Dispose();
        _stop.Dispose();
        Folder.Delete(recursive: true);
    }
}
