using System.Net;
using NodeFoundry.Fleet;
using NodeFoundry.Http;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What tests/Pester/Start-NfHttpServer.Tests.ps1 takes for granted, checked without PowerShell: the fixture fleet
/// would bind its server.address (so the suite passes -ListenAddress), and a server set up the way the suite sets it
/// up serves a GET, a HEAD and a 404 with the events the suite asserts.
/// </summary>
public sealed class HttpPesterAssumptionTests : IDisposable
{
    private static readonly string Fleet = PesterFixtures.Fleet;
    private readonly TempRoot _root = new("nf-module-tests-http-");
    private readonly byte[] _kernel;

    public HttpPesterAssumptionTests() => _kernel = _root.WriteRandom("ubuntu/vmlinuz", 70000, seed: 7);

    public void Dispose() => _root.Dispose();

    [Fact]
    public void The_fixture_fleet_binds_its_server_address_so_the_suite_passes_ListenAddress()
    {
        HttpServerOptions options = HttpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(Fleet));

        Assert.Equal(IPAddress.Parse("192.0.2.1"), options.ListenAddress);
        Assert.Equal(80, options.Port);
    }

    [Fact]
    public async Task A_loopback_server_answers_the_suites_requests_with_the_events_it_asserts()
    {
        var server = new HttpBootServer(HttpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(Fleet)) with
        {
            Root = _root.FullName,
            ListenAddress = IPAddress.Loopback,
            Port = 0,
        });
        var events = new EventQueue<HttpRequestEvent>();
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => server.RunAsync(events, stop.Token));
        try
        {
            await server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            string baseUrl = $"http://127.0.0.1:{server.LocalEndPoint!.Port}";
            Assert.Equal($"http@127.0.0.1:{server.LocalEndPoint.Port}", server.Name);
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

            Assert.Equal(_kernel, await client.GetByteArrayAsync(new Uri($"{baseUrl}/ubuntu/vmlinuz")));
            using (HttpResponseMessage missing = await client.GetAsync(new Uri($"{baseUrl}/ubuntu/initrd")))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            using (var head = new HttpRequestMessage(HttpMethod.Head, new Uri($"{baseUrl}/ubuntu/vmlinuz")))
            using (HttpResponseMessage headResponse = await client.SendAsync(head))
            {
                Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
            }

            HttpRequestEvent get = await events.WaitFor(e => e.Method == "GET" && e.Path == "/ubuntu/vmlinuz");
            Assert.Equal(("http", 200, 70000L, (long?)70000, "static"), (get.Source, get.StatusCode, get.BytesSent, get.ContentLength, get.Route));
            Assert.Equal(IPAddress.Loopback, get.IPAddress);
            Assert.True(get.ClientPort > 0);
            Assert.Equal("/ubuntu/initrd", (await events.WaitFor(e => e.StatusCode == 404)).Path);
            await events.WaitFor(e => e.Method == "HEAD" && e.StatusCode == 200);
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
