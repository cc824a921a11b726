using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// A real client against the server on 127.0.0.1 (and ::1): curl (installed by .ci/run). Lab-free: no namespaces,
/// no root. Each curl runs with --max-time and is killed (by its own process id) if it overstays.
/// </summary>
public sealed class CurlInteropTests
{
    private static string CurlPath()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, OperatingSystem.IsWindows() ? "curl.exe" : "curl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("curl is not installed: these interop tests need it. Install it (Debian: apt-get install curl; .ci/run does this) and run again.");
        return string.Empty;
    }

    internal static (int Exit, string Out, string Err) Curl(params string[] args)
    {
        var start = new ProcessStartInfo(CurlPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Never through a proxy, whatever the environment says; never retry; bounded time.
        foreach (var arg in new[] { "-sS", "--noproxy", "*", "--max-time", "15" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("curl did not finish within 30 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Over_ipv6_loopback_get_range_and_keep_alive_work_and_the_event_names_the_v6_client(bool directReceive)
    {
        if (!Ipv6LoopbackWorks())
        {
            // A host with IPv6 switched off (some containers) has nothing to listen on; there is nothing to test there.
            return;
        }

        await using var server = await HttpTestServer.StartAsync(o => o with { ListenAddress = IPAddress.IPv6Loopback, DirectReceive = directReceive });
        var url = $"http://[::1]:{server.EndPoint.Port}";

        // Two transfers in one curl (the second after --next, which resets options, hence repeated): the connection is
        // reused, the second is a range. -g: the brackets are an address, not a glob.
        const string Format = " %{http_code} %{num_connects}|";
        var both = Curl("-g", "-w", Format, url + "/digits.bin", "--next", "-sS", "--noproxy", "*", "--max-time", "15", "-g", "-r", "10-14", "-w", Format, url + "/digits.bin");
        Assert.Equal(0, both.Exit);
        Assert.Equal("0123456789abcdefghij 200 1|abcde 206 0|", both.Out);

        var events = await server.WaitForEventsAsync(2);
        Assert.All(events, e => Assert.Equal(IPAddress.IPv6Loopback, e.IPAddress));
        Assert.Equal(1, server.Server.Counters.AcceptedConnections);
    }

    private static bool Ipv6LoopbackWorks()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Curl_head_get_range_and_conditional()
    {
        await using var server = await HttpTestServer.StartAsync();
        var head = Curl("-I", server.Url("/digits.bin"));
        Assert.Equal(0, head.Exit);
        Assert.Contains("HTTP/1.1 200 OK", head.Out, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 20", head.Out, StringComparison.Ordinal);
        var etag = head.Out.Split("\r\n").Single(l => l.StartsWith("ETag:", StringComparison.Ordinal))[5..].Trim();

        var get = Curl(server.Url("/digits.bin"));
        Assert.Equal("0123456789abcdefghij", get.Out);

        var range = Curl("-r", "10-14", "-w", " %{http_code}", server.Url("/digits.bin"));
        Assert.Equal("abcde 206", range.Out);

        var notModified = Curl("-H", $"If-None-Match: {etag}", "-o", "/dev/null", "-w", "%{http_code}", server.Url("/digits.bin"));
        Assert.Equal("304", notModified.Out);

        var since = Curl("-z", DateTime.UtcNow.AddDays(1).ToString("r", System.Globalization.CultureInfo.InvariantCulture), "-o", "/dev/null", "-w", "%{http_code}", server.Url("/digits.bin"));
        Assert.Equal("304", since.Out);

        var unsatisfiable = Curl("-r", "100-200", "-o", "/dev/null", "-w", "%{http_code}", server.Url("/digits.bin"));
        Assert.Equal("416", unsatisfiable.Out);
    }

    [Fact]
    public async Task Curl_reuses_one_keep_alive_connection_for_several_urls()
    {
        await using var server = await HttpTestServer.StartAsync();
        var result = Curl("-w", "%{http_code}\\n", server.Url("/a.txt"), server.Url("//sub//deeper//b.txt"), server.Url("/missing"));
        Assert.Equal("hello, boot\n200\nnested\n200\n404 Not Found\n404\n", result.Out);
        Assert.Equal(1, server.Server.Counters.AcceptedConnections);
    }

    [Fact]
    public async Task Curl_path_as_is_traversal_is_refused_and_doubled_slashes_do_not_redirect()
    {
        await using var server = await HttpTestServer.StartAsync();
        var traversal = Curl("--path-as-is", "-w", "%{http_code}", "-o", "/dev/null", server.Url("/../outside.txt"));
        Assert.Equal("400", traversal.Out);
        var encoded = Curl("--path-as-is", "-w", "%{http_code}", "-o", "/dev/null", server.Url("/%2e%2e/outside.txt"));
        Assert.Equal("400", encoded.Out);
        var doubled = Curl("-w", " %{http_code} %{num_redirects}", server.Url("//a.txt"));
        Assert.Equal("hello, boot\n 200 0", doubled.Out);
    }

    [Fact]
    public async Task Curl_downloads_a_percent_encoded_mac_name()
    {
        // iPXE writes ${mac} as 52%3A54%3A…; the file on disk has the colons.
        await using var server = await HttpTestServer.StartAsync(populate: root => File.WriteAllText(Path.Combine(root, "52:54:00:12:34:56.ipxe"), "#!ipxe\n"));
        var result = Curl("-w", "%{http_code} %{content_type}", server.Url("/52%3A54%3A00%3A12%3A34%3A56.ipxe"));
        Assert.Equal("#!ipxe\n200 text/plain; charset=utf-8", result.Out);
    }
}
