using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Power;
using NodeFoundry.Power.Redfish;
using NodeFoundry.Tests.Power.Redfish;

namespace NodeFoundry.Tests.Power;

/// <summary>
/// Issue 5's acceptance: a 50-node run in waves with a stagger against 50 simulated Redfish BMCs on loopback (one per
/// node, each its own endpoint), one of them broken; and no password byte in anything the run emits.
/// </summary>
public sealed class FleetPowerAcceptanceTests
{
    private const int Nodes = 50;
    private const int BatchSize = 10;
    private const int Broken = 17;
    private static readonly TimeSpan Stagger = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Fifty_nodes_in_waves_each_get_exactly_one_action_in_order_a_stagger_apart_and_a_broken_BMC_stops_nothing()
    {
        var clock = new VirtualClock();
        long sequence = 0;
        var requestsByNode = new ConcurrentDictionary<int, ConcurrentQueue<long>>();
        var resetOrder = new ConcurrentQueue<int>();
        var servers = new List<RedfishTestServer>();
        try
        {
            for (int i = 0; i < Nodes; i++)
            {
                int node = i;
                requestsByNode[node] = new ConcurrentQueue<long>();
                servers.Add(RedfishTestServer.Start(new RedfishTestServerOptions
                {
                    InitialPower = node % 2 == 0 ? "On" : "Off",
                    RequireEtag = node % 5 == 0,
                    OnRequest = (_, _) => requestsByNode[node].Enqueue(Interlocked.Increment(ref sequence)),
                    OnReset = (_, _) => resetOrder.Enqueue(node),
                }));
            }

            int brokenPort = ClosedLoopbackPort();
            var requests = Enumerable.Range(0, Nodes).Select(i => new PowerCycleRequest(
                $"gpu{i:00}",
                new BmcEndpoint("127.0.0.1", BmcProtocol.Redfish, i == Broken ? brokenPort : servers[i].Port, UseTls: false),
                new BmcCredential(servers[i].Options.UserName, servers[i].Options.Password),
                new BootOverride(BootDevice.Pxe),
                PowerAction.Cycle)).ToList();
            int open = 0;
            int peak = 0;
            var factory = new BmcClientFactory();
            var orchestrator = new PowerCycleOrchestrator(
                async (endpoint, credential, ct) =>
                {
                    int now = Interlocked.Increment(ref open);
                    int seen;
                    while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                    {
                    }

                    try
                    {
                        return new SessionCounter(await factory.ConnectAsync(endpoint, credential, ct), () => Interlocked.Decrement(ref open));
                    }
                    catch
                    {
                        Interlocked.Decrement(ref open);
                        throw;
                    }
                },
                new PowerCycleOptions { BatchSize = BatchSize, Stagger = Stagger, MaxConcurrentSessions = 4, NodeTimeout = TimeSpan.FromMinutes(10) },
                clock);
            var progress = new List<PowerCycleProgress>();

            List<PowerCycleResult> results = await PowerCycleOrchestratorTests.CollectAsync(orchestrator.RunAsync(requests, progress.Add, CancellationToken.None));

            // One result per node; only the broken one failed, as a transport failure naming its endpoint.
            Assert.Equal(Nodes, results.Count);
            Assert.Equal(requests.Select(r => r.NodeName).Order(StringComparer.Ordinal), results.Select(r => r.NodeName).Order(StringComparer.Ordinal));
            PowerCycleResult broken = Assert.Single(results, r => !r.Succeeded);
            Assert.Equal($"gpu{Broken}", broken.NodeName);
            Assert.Equal(BmcFailure.Transport, broken.Failure);
            Assert.StartsWith($"connect: redfish://127.0.0.1:{brokenPort}: ", broken.Error, StringComparison.Ordinal);

            // Exactly one action per node: a PowerCycle when it was on, an On when it was off; PXE next, once.
            for (int i = 0; i < Nodes; i++)
            {
                SimulatedSystem system = servers[i].Systems["1"];
                if (i == Broken)
                {
                    Assert.Empty(system.ResetTypes);
                    continue;
                }

                Assert.Equal([i % 2 == 0 ? "PowerCycle" : "On"], system.ResetTypes);
                Assert.Equal(("Pxe", "Once", 1), (system.OverrideTarget, system.OverrideEnabled, system.BootPatches));
                PowerCycleResult result = results.Single(r => r.NodeName == $"gpu{i:00}");
                Assert.Equal((i % 2 == 0 ? PowerState.On : PowerState.Off, PowerState.On, BootDevice.Pxe), (result.PowerBefore, result.PowerAfter, result.BootDeviceSet));
                Assert.Equal(0, servers[i].OpenSessions);
            }

            // Order: the BMCs saw their resets in node order. Stagger: commands exactly 3 s apart on the run's clock.
            int[] commanded = [.. Enumerable.Range(0, Nodes).Where(i => i != Broken)];
            Assert.Equal(commanded, resetOrder);
            DateTimeOffset[] commandTimes = [.. commanded.Select(i => results.Single(r => r.NodeName == $"gpu{i:00}").PowerCommandAt!.Value)];
            Assert.Equal(commanded.Select((_, k) => clock.Start + (k * Stagger)), commandTimes);
            Assert.All(clock.Pauses, p => Assert.Equal(Stagger, p));

            // Waves: every request to a wave's BMCs came before any request to the next wave's BMCs.
            for (int wave = 0; wave + 1 < Nodes / BatchSize; wave++)
            {
                long lastOfWave = Enumerable.Range(wave * BatchSize, BatchSize).Where(i => i != Broken).Max(i => requestsByNode[i].Max());
                long firstOfNext = Enumerable.Range((wave + 1) * BatchSize, BatchSize).Where(i => i != Broken).Min(i => requestsByNode[i].Min());
                Assert.True(lastOfWave < firstOfNext, $"wave {wave + 1} overlaps wave {wave + 2}");
            }

            Assert.All(results, r => Assert.Equal(int.Parse(r.NodeName[3..], System.Globalization.CultureInfo.InvariantCulture) / BatchSize + 1, r.Wave));
            Assert.InRange(peak, 1, 4);
            Assert.Equal(Enumerable.Range(1, Nodes), progress.Select(p => p.Completed));
            Assert.Equal(1, progress[^1].Failed);
        }
        finally
        {
            foreach (RedfishTestServer server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task No_password_byte_reaches_a_result_a_progress_report_a_trace_line_or_an_exception()
    {
        const string password = "Zq9-Fleet-Secret!";
        const string wrongPassword = "Xk7-Typo-Secret?";
        var traces = new ConcurrentQueue<string>();
        var clock = new VirtualClock();
        await using var good = RedfishTestServer.Start(new RedfishTestServerOptions { Password = password, EchoCredentialsInErrors = true });
        await using var echoing = RedfishTestServer.Start(new RedfishTestServerOptions { Password = password, EchoCredentialsInErrors = true });
        await using var failing = RedfishTestServer.Start(new RedfishTestServerOptions { Password = password, FailReset = true, SessionsSupported = false });
        var factory = new BmcClientFactory { Redfish = new RedfishConnectOptions { Trace = traces.Enqueue, TimeProvider = clock } };
        PowerCycleRequest Node(string name, RedfishTestServer server, string secret) =>
            new(name, RedfishBmcClientTests.Endpoint(server), new BmcCredential("admin", secret), new BootOverride(BootDevice.UefiHttp), PowerAction.Cycle);
        PowerCycleRequest[] requests =
        [
            Node("good", good, password),
            Node("wrong-password", echoing, wrongPassword),
            Node("basic-auth-reset-fails", failing, password),
        ];
        var progress = new List<PowerCycleProgress>();

        List<PowerCycleResult> results = await PowerCycleOrchestratorTests.CollectAsync(
            new PowerCycleOrchestrator(factory.ConnectAsync, new PowerCycleOptions { Stagger = TimeSpan.Zero }, clock).RunAsync(requests, progress.Add, CancellationToken.None));
        BmcException direct = await Assert.ThrowsAsync<BmcException>(() => factory.ConnectAsync(requests[1].Endpoint, requests[1].Credential, CancellationToken.None));

        Assert.Equal(BmcFailure.Authentication, results.Single(r => r.NodeName == "wrong-password").Failure);
        Assert.Equal(BmcFailure.Rejected, results.Single(r => r.NodeName == "basic-auth-reset-fails").Failure);
        Assert.True(results.Single(r => r.NodeName == "good").Succeeded);
        // The secrets did travel (the BMCs saw them), so their absence below is not an accident of the setup.
        Assert.Contains(echoing.SeenCredentials, c => c.Contains(wrongPassword, StringComparison.Ordinal));
        Assert.Contains(failing.SeenCredentials, c => c.StartsWith("Basic ", StringComparison.Ordinal));

        var emitted = new List<string>();
        emitted.AddRange(results.SelectMany(r => new[] { r.ToString(), r.Error ?? string.Empty, r.Endpoint.ToString() }));
        emitted.AddRange(progress.Select(p => p.ToString()));
        emitted.AddRange(traces);
        emitted.Add(direct.ToString());
        emitted.Add(requests[0].Credential.ToString());
        emitted.Add(requests[0].ToString());
        foreach (string secret in new[] { password, wrongPassword })
        {
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + secret));
            Assert.All(emitted, text =>
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(basic, text, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task The_factory_connects_Redfish_and_IPMI_by_protocol()
    {
        await using var server = RedfishTestServer.Start();
        var factory = new BmcClientFactory();

        await using (IBmcClient client = await factory.ConnectAsync(RedfishBmcClientTests.Endpoint(server), new BmcCredential("admin", server.Options.Password), CancellationToken.None))
        {
            Assert.IsType<RedfishBmcClient>(client);
        }

        // IPMI goes to the RMCP+ client: a loopback port nobody answers is a timeout (or transport) failure of that
        // client, never "unsupported".
        var ipmi = new BmcClientFactory { Ipmi = new NodeFoundry.Power.Ipmi.IpmiConnectOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 1 } };
        var ex = await Assert.ThrowsAsync<BmcException>(() => ipmi.ConnectAsync(new BmcEndpoint("127.0.0.1", BmcProtocol.Ipmi, ClosedLoopbackPort()), new BmcCredential("admin", "x"), CancellationToken.None));
        Assert.Contains(ex.Failure, new[] { BmcFailure.Timeout, BmcFailure.Transport });
    }

    private static int ClosedLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class SessionCounter(IBmcClient inner, Action closed) : IBmcClient
    {
        public BmcEndpoint Endpoint => inner.Endpoint;

        public Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken) => inner.GetPowerStateAsync(cancellationToken);

        public Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken) => inner.SetPowerAsync(action, cancellationToken);

        public Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken) => inner.SetBootOverrideAsync(bootOverride, cancellationToken);

        public Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken) => inner.GetBootOverrideAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            closed();
        }
    }
}
