using System.Globalization;
using System.Net;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>
/// <c>nodefoundry storm</c>: a simulated fleet booting against a boot server (NodeFoundry or any other), as
/// bench/storm runs it. DHCP goes relay-style from <c>--relay</c>; with <c>--loss</c> the DHCP requests, DHCP
/// replies and TFTP (both ways) pass through seeded impairment relays in this process (convenient by hand;
/// bench/storm runs them as <c>nodefoundry impair</c> processes instead, so that a stall of this process is not
/// also a stall of the path, and points <c>--dhcp</c>, <c>--reply-port</c> and <c>--tftp</c> at them). Prints progress, the
/// report, and with <c>--json</c> writes it for scripts. Exit 0 only when every node booted.
/// </summary>
internal static class StormCommand
{
    public static async Task<int> RunAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        try
        {
            return await StormAsync(options, output, stop).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            // Port 67 needs root (or CAP_NET_BIND_SERVICE), and the relay address must be on an interface here.
            throw new InvalidOperationException($"storm: cannot open a socket: {ex.Message}", ex);
        }
        catch (UriFormatException ex)
        {
            throw new UsageException($"--kernel/--initrd: {ex.Message}");
        }
    }

    private static async Task<int> StormAsync(ArgumentReader options, TextWriter output, CancellationToken stop)
    {
        var dhcpServer = Endpoint(options.Require("dhcp"), 67, "dhcp");
        var relay = Address(options.Get("relay") ?? throw new UsageException("--relay is required: the giaddr the server answers (the simulator listens there on port 67)"), "relay");
        var replyPort = options.GetNumber("reply-port", 67, 0, 65535);
        var tftpServer = options.Get("tftp") is { } tftp ? Endpoint(tftp, 69, "tftp") : null;
        var loss = options.GetPercent("loss");
        var seed = options.GetNumber("seed", 2026, 0, int.MaxValue);
        var storm = new StormOptions
        {
            DhcpServer = dhcpServer,
            DhcpReplyEndPoint = new IPEndPoint(relay, loss > 0 ? 0 : replyPort),
            RelayAddress = relay,
            TftpServer = tftpServer,
            Nodes = options.GetNumber("nodes", 100, 1, 1_000_000),
            Concurrency = options.GetNumber("concurrency", 1_000_000, 1, 1_000_000),
            Ripple = TimeSpan.FromSeconds(options.GetNumber("ripple", 0, 0, 86_400)),
            Deadline = TimeSpan.FromSeconds(options.GetNumber("deadline", 600, 1, 86_400)),
            Architecture = (ushort)options.GetNumber("arch", 0, 0, 65535),
            SourceAddresses = Sources(options),
            BindLeasedAddress = options.Has("bind-leased"),
            KernelUrl = options.Get("kernel") is { } kernel ? new Uri(kernel) : null,
            InitrdUrl = options.Get("initrd") is { } initrd ? new Uri(initrd) : null,
            FirstMac = options.Get("first-mac") is { } mac ? ParseMac(mac) : StormOptions.DefaultFirstMac,
            Seed = seed,
            KeepNodeResults = false,
        };

        using var simulator = new FleetSimulator(storm);
        await using var impairment = loss > 0
            ? StormImpairment.Start(loss, seed, relay, replyPort, simulator, tftpServer ?? new IPEndPoint(dhcpServer.Address, 69), stop)
            : null;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"nodefoundry storm: {storm.Nodes} nodes, concurrency {storm.Concurrency}, ripple {storm.Ripple.TotalSeconds:0.#} s, loss {loss:0.##}%, DHCP {dhcpServer} as relay {relay}, replies on {relay}:{replyPort}")).ConfigureAwait(false);
        await output.FlushAsync(stop).ConfigureAwait(false);
        var quiet = options.Has("quiet");
        var progress = quiet ? null : new ProgressPrinter(output);
        StormReport report;
        try
        {
            report = await simulator.RunAsync(progress, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("nodefoundry storm: stopped").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync(StormReportText.Format(report, impairment?.Describe())).ConfigureAwait(false);
        if (options.Get("json") is { } json)
        {
            await File.WriteAllBytesAsync(json, StormReportJson.Write(report, loss, impairment?.Describe()), stop).ConfigureAwait(false);
        }

        return report.Failed == 0 ? 0 : 1;
    }

    private static IReadOnlyList<IPAddress> Sources(ArgumentReader options)
    {
        // --sources 192.0.2.10/241: 241 consecutive addresses from the first (the bench adds them to the client's interface).
        if (options.Get("sources") is not { } text)
        {
            return [];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var first = Address(slash < 0 ? text : text[..slash], "sources");
        var count = slash < 0 ? 1 : int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65536
            ? n : throw new UsageException($"--sources '{text}': write FIRST/COUNT, e.g. 192.0.2.10/241");
        var start = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(first.GetAddressBytes());
        return Enumerable.Range(0, count).Select(i =>
        {
            var bytes = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, unchecked(start + (uint)i));
            return new IPAddress(bytes);
        }).ToArray();
    }

    private static IPEndPoint Endpoint(string text, int defaultPort, string name)
    {
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, defaultPort) : endpoint;
        }

        throw new UsageException($"--{name} '{text}' is not ADDRESS[:PORT]");
    }

    private static IPAddress Address(string text, string name) =>
        IPAddress.TryParse(text, out var address) ? address : throw new UsageException($"--{name} '{text}' is not an IP address");

    private static ulong ParseMac(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return hex.Length == 12 && ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--first-mac '{text}' is not a MAC address");
    }

    /// <summary>One line a second at most: a storm of thousands must not spend its time printing.</summary>
    private sealed class ProgressPrinter(TextWriter output) : IProgress<StormProgress>
    {
        private TimeSpan _last = TimeSpan.FromSeconds(-1);

        public void Report(StormProgress value)
        {
            lock (this)
            {
                if (value.Elapsed - _last < TimeSpan.FromSeconds(1) && value.Finished < value.Nodes)
                {
                    return;
                }

                _last = value.Elapsed;
                output.WriteLine($"  {value}");
                output.Flush();
            }
        }
    }
}
