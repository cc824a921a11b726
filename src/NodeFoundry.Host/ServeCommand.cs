using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Http;

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

        var services = new List<IBootService> { new DhcpServer(fleet, dhcpOptions) };
        services.Add(new HttpBootServer(HttpOptions(fleet, options)));
        var events = new BoundedEventChannel();
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var runs = services.Select(s => RunOne(s, events, output, stopAll)).ToList();
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
            await stopAll.CancelAsync().ConfigureAwait(false);
            return false;
        }
    }

    private static async Task PrintAsync(BoundedEventChannel events, TextWriter output)
    {
        await foreach (var bootEvent in events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await output.WriteLineAsync(EventFormatter.Format(bootEvent)).ConfigureAwait(false);
        }
    }
}
