using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Http;
using NodeFoundry.Tests.Boot;
using NodeFoundry.Tests.Http;

namespace NodeFoundry.Tests.Routes;

/// <summary>
/// examples/lab.yaml in a temp folder, optionally with the <c>secrets/ops.hash</c> it references (not committed)
/// and extra text, served by an <see cref="HttpTestServer"/> with <see cref="FleetHttpRoutes"/> and /metrics mapped.
/// </summary>
internal sealed class LabRouteFleet : IAsyncDisposable
{
    public const string Node01Uuid = "4c4c4544-0042-3510-8052-b4c04f563132";

    private LabRouteFleet(DirectoryInfo folder, FleetConfig fleet, FleetHttpRoutes routes, HttpTestServer server, BoundedEventChannel routeEvents)
    {
        Folder = folder;
        Fleet = fleet;
        Routes = routes;
        Server = server;
        RouteEvents = routeEvents;
    }

    public DirectoryInfo Folder { get; }

    public FleetConfig Fleet { get; }

    public FleetHttpRoutes Routes { get; }

    public HttpTestServer Server { get; }

    /// <summary>Events the routes publish (phone-home, discovery); request events go to <see cref="HttpTestServer.Events"/>.</summary>
    public BoundedEventChannel RouteEvents { get; }

    public string StateDirectory => Fleet.Server.StateDirectory;

    /// <summary>Loads the lab fleet from a temp copy; <paramref name="withHash"/> writes secrets/ops.hash; <paramref name="http"/> is appended as the http section.</summary>
    public static FleetConfig Load(DirectoryInfo folder, bool withHash = true, string? http = null)
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lab.yaml"))
            .Replace("  - name: node01\n", $"  - name: node01\n    uuid: {Node01Uuid}\n", StringComparison.Ordinal);
        if (http is not null)
        {
            yaml += "\nhttp:\n" + string.Concat(http.Split('\n').Select(l => "  " + l + "\n"));
        }

        File.WriteAllText(Path.Combine(folder.FullName, "lab.yaml"), yaml);
        if (withHash)
        {
            Directory.CreateDirectory(Path.Combine(folder.FullName, "secrets"));
            File.WriteAllText(Path.Combine(folder.FullName, "secrets", "ops.hash"), BootTestFleet.Hash + "\n");
        }

        var result = FleetLoader.LoadFile(Path.Combine(folder.FullName, "lab.yaml"));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Fleet!;
    }

    public static async Task<LabRouteFleet> StartAsync(bool withHash = true, string? http = null, DirectoryInfo? folder = null)
    {
        folder ??= Directory.CreateTempSubdirectory("nf-routes-");
        var fleet = Load(folder, withHash, http);
        var routeEvents = new BoundedEventChannel(10_000);
        var routes = new FleetHttpRoutes(fleet, routeEvents, InstalledNodeStore.Open(fleet.Server.StateDirectory));
        var table = routes.MapTo(new HttpRouteTable());
        var metrics = new Metrics.MetricsRegistry().AddInstalled(routes.Installed);
        metrics.MapTo(table);
        var server = await HttpTestServer.StartAsync(routes: table);
        metrics.AddHttp(server.Server.Counters);
        return new LabRouteFleet(folder, fleet, routes, server, routeEvents);
    }

    public RawHttpResponse Get(string path) => Server.Request(HttpTestServer.Get(path));

    public RawHttpResponse Head(string path) => Server.Request($"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", headRequest: true);

    public RawHttpResponse Post(string path, string body) =>
        Server.Request($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    public List<BootEvent> DrainRouteEvents()
    {
        var list = new List<BootEvent>();
        while (RouteEvents.Reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    /// <summary>Stops the server; the temp folder stays when <paramref name="keepFolder"/> (a restart test reuses it).</summary>
    public async ValueTask StopAsync(bool keepFolder)
    {
        await Server.DisposeAsync();
        if (!keepFolder)
        {
            Folder.Delete(recursive: true);
        }
    }

    public ValueTask DisposeAsync() => StopAsync(keepFolder: false);
}
