using System.Net.NetworkInformation;
using NodeFoundry.Http;
using NodeFoundry.Tests.Http;

namespace NodeFoundry.Tests.Routes;

/// <summary>The route-table features the per-node routes rely on: POST only where mapped, and the MAC and reason a handler names reaching the event.</summary>
public sealed class RoutePostAndEventTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("52-54-00-00-00-07");

    [Fact]
    public async Task Post_is_answered_only_by_routes_that_accept_it_and_closes_the_connection()
    {
        var calls = 0;
        var routes = new HttpRouteTable()
            .Map("/hook/{id}", c => { Interlocked.Increment(ref calls); return HttpRouteContent.Text($"got {c.Request.Method}\n"); }, acceptPost: true)
            .Map("/plain", _ => HttpRouteContent.Text("plain\n"));
        await using var server = await HttpTestServer.StartAsync(routes: routes);

        var posted = server.Request("POST /hook/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal(200, posted.Status);
        Assert.Equal("got POST\n", posted.Text);
        Assert.Equal("close", posted.Header("Connection"));

        var refused = server.Request("POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(405, refused.Status);
        Assert.Equal("GET, HEAD", refused.Header("Allow"));
        var put = server.Request("PUT /hook/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(405, put.Status);
        Assert.Equal("GET, HEAD, POST", put.Header("Allow"));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_mac_and_reason_a_handler_names_reach_the_request_event_even_for_404()
    {
        var routes = new HttpRouteTable()
            .Map("/found/{x}", c => { c.MacAddress = Mac; return HttpRouteContent.Text("x\n", statusCode: 500) with { Reason = "lint: NF-TEST" }; })
            .Map("/missing/{x}", c => { c.MacAddress = Mac; return null; });
        await using var server = await HttpTestServer.StartAsync(routes: routes);
        var failed = server.Request(HttpTestServer.Get("/found/a"));
        Assert.Equal(500, failed.Status);
        Assert.Equal("x\n", failed.Text);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/missing/a")).Status);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/a-static-file-that-is-not-there")).Status);

        var events = await server.WaitForEventsAsync(3);
        var found = Assert.Single(events, e => e.Path == "/found/a");
        Assert.Equal(Mac, found.MacAddress);
        Assert.Equal("lint: NF-TEST", found.Reason);
        Assert.Equal(Mac, Assert.Single(events, e => e.Path == "/missing/a").MacAddress);
        Assert.Null(Assert.Single(events, e => e.Route == "static").MacAddress);
        Assert.Equal(1, server.Server.Counters.ByRoute().Single(r => r.Route == "/found/{x}").RequestsByClass[4]);
    }
}
