using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Http;
using NodeFoundry.Metrics;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Host;

/// <summary>
/// Runs the engines the fleet file configures until SIGTERM/Ctrl+C, one log line per event on stdout.
/// This is what systemd's ExecStart and a Windows service run.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        var fleet = FleetFiles.Load(options.Require("config"));
        var dhcpOptions = DhcpServerOptions.FromFleet(fleet);
        dhcpOptions = new DhcpServerOptions
        {
            ListenAddress = options.Get("listen") is { } listen
                ? IPAddress.TryParse(listen, out var address) ? address : throw new UsageException($"--listen '{listen}' is not an IP address")
                : dhcpOptions.ListenAddress,
            Port = options.GetInt("port") ?? dhcpOptions.Port,
            InterfaceName = options.Get("interface") ?? dhcpOptions.InterfaceName,
            JournalPath = options.Has("no-journal") ? null : options.Get("journal") ?? dhcpOptions.JournalPath,
            Mode = dhcpOptions.Mode,
        };

        var events = new BoundedEventChannel();

        // The engines publish through the boot timeline, which logs a line when a node reaches a new stage.
        var timeline = new BootTimeline(events, BootTimelineOptions.ForFleet(fleet));
        var dhcp = new DhcpServer(fleet, dhcpOptions);
        var metrics = new MetricsRegistry().AddDhcp(dhcp);
        var services = new List<IBootService> { dhcp };
        if (!options.Has("no-tftp"))
        {
            var tftpOptions = TftpServerOptions.FromFleet(fleet) with
            {
                ListenAddress = dhcpOptions.ListenAddress,
                InterfaceName = dhcpOptions.InterfaceName,
            };
            tftpOptions = tftpOptions with { Port = options.GetInt("tftp-port") ?? tftpOptions.Port };
            if (!Directory.Exists(tftpOptions.Root))
            {
                // A fresh fleet folder has no loaders yet; serve an empty root (every request: file not found)
                // and say so, rather than refuse to start DHCP.
                Directory.CreateDirectory(tftpOptions.Root);
                await output.WriteLineAsync($"nodefoundry: created the empty TFTP root {tftpOptions.Root}; put the boot loaders (undionly.kpxe, snponly.efi, …) there").ConfigureAwait(false);
            }

            var tftp = new TftpServer(tftpOptions);
            metrics.AddTftp(tftp.Counters);
            services.Add(tftp);
        }

        if (!options.Has("no-http"))
        {
            var httpOptions = HttpOptions(fleet, options);
            if (!Directory.Exists(httpOptions.Root))
            {
                // Not fatal: routes still answer; files are 404 until the folder exists.
                await output.WriteLineAsync($"nodefoundry: the HTTP root {httpOptions.Root} does not exist; static files answer 404 until it does").ConfigureAwait(false);
            }

            services.Add(HttpWithRoutes(fleet, httpOptions, timeline, metrics));
        }

        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var runs = services.Select(s => RunOne(s, timeline, output, stopAll)).ToList();
        var printer = PrintAsync(events, output);
        try
        {
            await Task.WhenAll(services.OfType<IListeningService>().Select(s => s.WhenListening)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // RunOne reports the bind failure and stops the rest; fall through to collect the results.
        }

        await output.WriteLineAsync($"nodefoundry: serving {fleet.SourcePath} — {string.Join(", ", services.Select(s => s.Name))}").ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        var results = await Task.WhenAll(runs).ConfigureAwait(false);
        events.Complete();
        await printer.ConfigureAwait(false);
        return results.All(ok => ok) ? 0 : 1;
    }

    /// <summary>HTTP from the fleet file; --listen (shared with DHCP) and --http-port override it.</summary>
    private static HttpServerOptions HttpOptions(Fleet.FleetConfig fleet, ArgumentReader options)
    {
        var http = HttpServerOptions.FromFleet(fleet);
        return http with
        {
            ListenAddress = options.Get("listen") is { } listen && IPAddress.TryParse(listen, out var address) ? address : http.ListenAddress,
            Port = options.GetInt("http-port") ?? http.Port,
        };
    }

    /// <summary>The HTTP server with the fleet's per-node routes, phone-home (state in the state directory) and /metrics.</summary>
    private static HttpBootServer HttpWithRoutes(Fleet.FleetConfig fleet, HttpServerOptions httpOptions, IBootEventSink events, MetricsRegistry metrics)
    {
        var routes = new HttpRouteTable();
        var installed = InstalledNodeStore.Open(fleet.Server.StateDirectory);
        new FleetHttpRoutes(fleet, events, installed).MapTo(routes);
        var http = new HttpBootServer(httpOptions, routes);
        metrics.AddHttp(http.Counters).AddInstalled(installed).MapTo(routes);
        return http;
    }

    private static async Task<bool> RunOne(IBootService service, IBootEventSink events, TextWriter output, CancellationTokenSource stopAll)
    {
        try
        {
            await service.RunAsync(events, stopAll.Token).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException ex)
        {
            // One engine that cannot start stops the rest: a half-started boot stack misleads operators.
            await output.WriteLineAsync($"nodefoundry: {service.Name} failed: {ex.Message}").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            await stopAll.CancelAsync().ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// Writes event lines through one buffered writer, flushed once per burst rather than once per line:
    /// under a storm a write(2) per event would cost as much as the DHCP work it reports.
    /// </summary>
    private static async Task PrintAsync(BoundedEventChannel events, TextWriter output)
    {
        var reader = events.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var bootEvent))
            {
                output.WriteLine(EventFormatter.Format(bootEvent));
            }

            await output.FlushAsync().ConfigureAwait(false);
        }
    }
}
