using System.Runtime.InteropServices;

namespace NodeFoundry.Host;

/// <summary>Entry point: picks the command and turns failures into exit codes and one clear line.</summary>
internal static class CommandLine
{
    public const string Usage = """
        nodefoundry — network boot servers for bare-metal fleets

        Usage:
          nodefoundry demo                      Run the embedded example lab on loopback and walk a BIOS, a UEFI and a
                                                UEFI HTTP Boot client through it; exit 0 only if each got the right answers.
          nodefoundry serve --config FILE       Serve the fleet file (DHCP, TFTP and HTTP) until SIGTERM/Ctrl+C; a line
                                                per event, or with --quiet only failures, refusals, HTTP errors, store
                                                changes, phone-homes and discovered nodes.
                [--listen ADDR] [--port N] [--interface IF] [--journal PATH | --no-journal]
                [--tftp-port N | --no-tftp]
                [--http-port N | --no-http] [--quiet]
          nodefoundry validate --config FILE    Check a fleet file; print every problem with line, column and fix.
          nodefoundry leases --journal PATH     Print the leases in a lease journal (the server may be stopped).
          nodefoundry storm --dhcp ADDR[:PORT] --relay ADDR
                                                Boot a simulated fleet against a boot server (relay-style DHCP from
                                                ADDR, which receives the replies on --reply-port, default 67); print
                                                per-stage latency, failures by stage and cause; exit 0 if all booted.
                [--nodes N] [--concurrency N] [--ripple S] [--deadline S] [--tftp ADDR[:PORT]]
                [--sources FIRST/COUNT | --bind-leased] [--kernel URL --initrd URL] [--arch N]
                [--loss PCT] [--seed N] [--first-mac MAC] [--json FILE] [--quiet]
          nodefoundry impair --listen ADDR:PORT --target ADDR:PORT
                                                A seeded UDP loss relay in a process of its own (bench/storm's, so the
                                                simulator's stalls are not the path's); counters printed on SIGTERM.
                [--loss PCT] [--loss-to-clients PCT] [--upstream ADDR] [--seed N] [--lifetime S]
                [--max-mappings N] [--no-mirror]
          nodefoundry leases --config FILE      Print the leases of the store the fleet file names: its journal, or
                                                the PostgreSQL database its servers share (every server's leases).
          nodefoundry timeline --config FILE [--mac MAC]
                                                Print every node's boot stage from the PostgreSQL store the fleet's
                                                servers share (all servers' events merged by time); with --mac, that
                                                node's events and which server saw each.
          nodefoundry nodes --config FILE       Print the fleet inventory from that store: MAC, UUID (option 97),
                                                firmware (option 93), last address and server, first/last seen, installed.
        """;

    /// <summary>serve logs every event: stdout gets a buffered writer the event printer flushes per burst.</summary>
    private static async Task<int> ServeAsync(ArgumentReader options, CancellationToken stop)
    {
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        await using (stdout.ConfigureAwait(false))
        {
            // Synchronized: the event printer and the engines' failure reports write from different threads.
            return await ServeCommand.RunAsync(options, TextWriter.Synchronized(stdout), stop).ConfigureAwait(false);
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        ArgumentReader options;
        try
        {
            options = ArgumentReader.Parse(args.Skip(1));
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"nodefoundry: {ex.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        try
        {
            return args[0] switch
            {
                "demo" => await DemoCommand.RunAsync(options, Console.Out, stop.Token).ConfigureAwait(false),
                "serve" => await ServeAsync(options, stop.Token).ConfigureAwait(false),
                "validate" => ValidateCommand.Run(options, Console.Out),
                "leases" => LeasesCommand.Run(options, Console.Out),
                "timeline" => TimelineCommand.Run(options, Console.Out),
                "nodes" => NodesCommand.Run(options, Console.Out),
                "storm" => await StormCommand.RunAsync(options, Console.Out, stop.Token).ConfigureAwait(false),
                "impair" => await ImpairCommand.RunAsync(options, Console.Out, stop.Token).ConfigureAwait(false),
                _ => throw new UsageException($"unknown command '{args[0]}'; expected demo, serve, validate, leases, timeline, nodes, storm or impair"),
            };
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"nodefoundry: {ex.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or NotSupportedException)
        {
            // IOException: a lease store that cannot be reached (`leases --config` on a shared database that is down).
            await Console.Error.WriteLineAsync($"nodefoundry: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
