using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>
/// Runs the engines the fleet file configures until SIGTERM/Ctrl+C, one log line per event on stdout (with --quiet,
/// per event that needs attention).
/// This is what systemd's ExecStart and a Windows service run: load the fleet, run a <see cref="BootStack"/>, print.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var fleet = FleetFiles.Load(options.Require("config"));
        using var stack = new BootStack(fleet, StackOptions(options));
        foreach (var notice in stack.Notices)
        {
            await output.WriteLineAsync($"nodefoundry: {notice}").ConfigureAwait(false);
        }

        var events = new BoundedEventChannel();
        var printer = PrintAsync(events, output, quiet: options.Has("quiet"));
        // The thread pool's own lateness (socket completions, HTTP, the receive loops all run there), printed on exit
        // beside the GC's cost: seconds here with a small GC pause mean a starved pool, not a paused process.
        var poolLateness = new SchedulingLatenessMonitor(TimeProvider.System, TimeSpan.FromMilliseconds(100));
        using var stopProbe = new CancellationTokenSource();
        var probing = Task.Run(() => poolLateness.RunAsync(stopProbe.Token), CancellationToken.None);
        var run = stack.RunAsync(events, stop);
        try
        {
            await stack.WhenListening.ConfigureAwait(false);
            await output.WriteLineAsync($"nodefoundry: serving {fleet.SourcePath} — {string.Join(", ", stack.Services.Select(s => s.Name))}").ConfigureAwait(false);
            if (stack.Tftp is { } tftp)
            {
                // Once: how TFTP hears ACKs (epoll on the loop thread, or the runtime's socket engine) and at what priority.
                var fallback = tftp.ReceivePathNote is null ? string.Empty : $" ({tftp.ReceivePathNote})";
                await output.WriteLineAsync($"nodefoundry: tftp receives on the {tftp.ReceivePath.ToString().ToLowerInvariant()} path{fallback}; {tftp.LoopPriority.Message}").ConfigureAwait(false);
            }

            if (stack.Dhcp?.Store is { } store)
            {
                // Which store holds the leases (a journal path, or the shared database without its password).
                await output.WriteLineAsync($"nodefoundry: leases in {store.Description}").ConfigureAwait(false);
            }

            if (stack.BootEvents is { } bootEvents)
            {
                // Shared with the fleet's other servers: `nodefoundry timeline` and `nodes` read them from any console.
                // The recorder opens its store beside the engines; until it has, the lease store names the same database.
                var where = bootEvents.Store?.Description ?? stack.Dhcp?.Store?.Description ?? bootEvents.Description;
                await output.WriteLineAsync($"nodefoundry: boot events in {where}").ConfigureAwait(false);
            }

            await output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BootStackException or OperationCanceledException)
        {
            // The run below reports why; it has stopped every engine.
        }

        var exitCode = 0;
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (BootStackException ex)
        {
            // One engine that cannot start stops the rest: a half-started boot stack misleads operators.
            await output.WriteLineAsync($"nodefoundry: {ex.Message}").ConfigureAwait(false);
            exitCode = 1;
        }

        events.Complete();
        await printer.ConfigureAwait(false);
        await stopProbe.CancelAsync().ConfigureAwait(false);
        await probing.ConfigureAwait(false);
        await output.WriteLineAsync($"nodefoundry: {GcSummary.Describe(started.Elapsed)}").ConfigureAwait(false);
        await output.WriteLineAsync($"nodefoundry: thread-pool lateness: {poolLateness.Snapshot()}").ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        return exitCode;
    }

    /// <summary>--listen, --interface, --port, --tftp-port, --http-port, --journal, --no-journal, --no-tftp, --no-http.</summary>
    private static BootStackOptions StackOptions(ArgumentReader options)
    {
        var engines = BootStackEngines.All;
        if (options.Has("no-tftp"))
        {
            engines &= ~BootStackEngines.Tftp;
        }

        if (options.Has("no-http"))
        {
            engines &= ~BootStackEngines.Http;
        }

        return new BootStackOptions
        {
            ListenAddress = options.Get("listen") is { } listen
                ? IPAddress.TryParse(listen, out var address) ? address : throw new UsageException($"--listen '{listen}' is not an IP address")
                : null,
            InterfaceName = options.Get("interface"),
            DhcpPort = options.GetInt("port"),
            TftpPort = options.GetInt("tftp-port"),
            HttpPort = options.GetInt("http-port"),
            JournalPath = options.Get("journal"),
            NoJournal = options.Has("no-journal"),
            Engines = engines,
        };
    }

    /// <summary>
    /// Writes event lines through one buffered writer, flushed once per burst rather than once per line:
    /// under a storm a write(2) per event would cost as much as the DHCP work it reports.
    /// </summary>
    private static async Task PrintAsync(BoundedEventChannel events, TextWriter output, bool quiet)
    {
        var reader = events.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var bootEvent))
            {
                // --quiet: only what needs attention (EventFormatter.NeedsAttention); the rest is still recorded.
                if (!quiet || EventFormatter.NeedsAttention(bootEvent))
                {
                    output.WriteLine(EventFormatter.Format(bootEvent));
                }
            }

            await output.FlushAsync().ConfigureAwait(false);
        }
    }
}
