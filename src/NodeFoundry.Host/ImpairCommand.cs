using System.Globalization;
using System.Net;
using NodeFoundry.Lab;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>
/// <c>nodefoundry impair</c>: one seeded <see cref="UdpImpairmentRelay"/> as a process of its own. bench/storm runs
/// its loss relays this way so that they do not share a process (thread pool, GC pauses) with the simulator they
/// feed: a stall of the simulator must not also stall the path, and the relay's own CPU is visible per process.
/// Thin over the engine's relay: the options map one to one; counters are printed when it stops (SIGTERM, Ctrl+C,
/// or <c>--lifetime</c>), so a script can read what was lost where.
/// </summary>
internal static class ImpairCommand
{
    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        var listen = Endpoint(options.Require("listen"), "listen");
        var target = Endpoint(options.Require("target"), "target");
        var upstream = options.Get("upstream") is { } up
            ? IPAddress.TryParse(up, out var address) ? address : throw new UsageException($"--upstream '{up}' is not an IP address")
            : null;
        var toServer = options.GetPercent("loss");
        // Without --loss-to-clients the relay loses nothing on the way back: the DHCP relays impair one direction each.
        var toClients = options.Has("loss-to-clients") ? options.GetPercent("loss-to-clients") : 0;
        var relayOptions = new UdpImpairmentRelayOptions
        {
            Listen = listen,
            Target = target,
            UpstreamAddress = upstream,
            ClientToServer = new UdpImpairment { LossPercent = toServer },
            ServerToClient = new UdpImpairment { LossPercent = toClients },
            Seed = options.GetNumber("seed", 2026, 0, int.MaxValue),
            Lifetime = TimeSpan.FromSeconds(options.GetNumber("lifetime", 3600, 1, 86_400)),
            MaxMappings = options.GetNumber("max-mappings", 4096, 1, 1_000_000),
            MirrorReplyPorts = !options.Has("no-mirror"),
        };

        UdpImpairmentRelay relay;
        try
        {
            relay = UdpImpairmentRelay.Start(relayOptions, stop);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new InvalidOperationException($"impair: cannot listen on {listen}: {ex.Message}", ex);
        }

        // The relay's own stall detector: a relay process that is not scheduled holds every datagram it carries,
        // which the nodes and the server would both see as loss. Printed with the counters.
        var lateness = new SchedulingLatenessMonitor(TimeProvider.System, TimeSpan.FromMilliseconds(100));
        using var stopProbe = new CancellationTokenSource();
        var probing = Task.Run(() => lateness.RunAsync(stopProbe.Token), CancellationToken.None);
        await using (relay.ConfigureAwait(false))
        {
            // The line a script waits for: the listen socket is bound.
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"nodefoundry impair: {relay.LocalEndPoint} -> {target}, loss {toServer:0.##}% to the server and {toClients:0.##}% to clients, seed {relayOptions.Seed}, lifetime {relayOptions.Lifetime.TotalSeconds:0} s")).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await relay.Completion.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl+C: stop and report.
            }
        }

        await stopProbe.CancelAsync().ConfigureAwait(false);
        await probing.ConfigureAwait(false);
        await output.WriteLineAsync(Describe(relay.Counters)).ConfigureAwait(false);
        await output.WriteLineAsync($"impair lateness: {lateness.Snapshot()}").ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    /// <summary>One line a script can grep: what came in, what was lost on purpose, what a cap or an error dropped.</summary>
    internal static string Describe(UdpImpairmentRelayCounters c)
    {
        var counters = string.Create(CultureInfo.InvariantCulture,
            $"impair counters: from clients {c.FromClients}, lost to server {c.LostToServer}, to server {c.ToServer}; from server {c.FromServer}, lost to clients {c.LostToClients}, to clients {c.ToClients}; mappings {c.MappingsOpened}, reply ports {c.ReplyPortsOpened}, dropped at cap {c.DroppedAtCap}, strangers {c.Strangers}, send errors {c.SendErrors}, receive errors {c.ReceiveErrors}");
        return counters
            + (c.FirstStranger is { } stranger ? $"; first stranger: {stranger}" : "")
            + (c.FirstSecondReplyPort is { } second ? $"; first second reply port: {second}" : "");
    }

    private static IPEndPoint Endpoint(string text, string name) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw new UsageException($"--{name} '{text}' is not ADDRESS:PORT");
}
