using System.Net;
using System.Net.Sockets;
using NodeFoundry.Power;
using NodeFoundry.Power.Redfish;

namespace NodeFoundry.Tests.Power.Redfish;

/// <summary>RedfishBmcClient against the DMTF-model test server on loopback.</summary>
public sealed class RedfishBmcClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Connect_logs_in_with_a_session_finds_the_system_and_deletes_the_session_on_dispose()
    {
        await using var server = RedfishTestServer.Start();
        await using (RedfishBmcClient client = await ConnectAsync(server))
        {
            Assert.True(client.UsesSession);
            Assert.Equal("/redfish/v1/Systems/1", client.SystemUri.AbsolutePath);
            Assert.Equal(1, server.OpenSessions);
        }

        Assert.Equal(1, server.SessionsCreated);
        Assert.Equal(0, server.OpenSessions);
        Assert.Contains("DELETE /redfish/v1/SessionService/Sessions/1", server.Requests);
        Assert.Equal("GET /redfish/v1", server.Requests.First());
    }

    [Theory]
    [InlineData("On", PowerState.On)]
    [InlineData("Off", PowerState.Off)]
    public async Task Power_state_reads_back(string simulated, PowerState expected)
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { InitialPower = simulated });
        await using RedfishBmcClient client = await ConnectAsync(server);

        Assert.Equal(expected, await client.GetPowerStateAsync(None));
    }

    [Theory]
    [InlineData(PowerAction.Cycle, "PowerCycle")]
    [InlineData(PowerAction.Reset, "ForceRestart")]
    [InlineData(PowerAction.On, "On")]
    [InlineData(PowerAction.Off, "ForceOff")]
    [InlineData(PowerAction.SoftOff, "GracefulShutdown")]
    public async Task Each_power_action_sends_its_reset_type(PowerAction action, string resetType)
    {
        await using var server = RedfishTestServer.Start();
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetPowerAsync(action, None);

        Assert.Equal([resetType], server.Systems["1"].ResetTypes);
    }

    [Fact]
    public async Task Cycle_without_PowerCycle_is_ForceOff_then_On()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AdvertisedResetTypes = ["On", "ForceOff", "ForceRestart"] });
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetPowerAsync(PowerAction.Cycle, None);

        Assert.Equal(["ForceOff", "On"], server.Systems["1"].ResetTypes);
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(None));
    }

    [Fact]
    public async Task Cycle_of_a_node_that_is_off_powers_it_on()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { InitialPower = "Off" });
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetPowerAsync(PowerAction.Cycle, None);

        Assert.Equal(["On"], server.Systems["1"].ResetTypes);
    }

    [Fact]
    public async Task A_reset_type_the_system_does_not_advertise_is_rejected_naming_the_allowed_ones_and_nothing_is_sent()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AdvertisedResetTypes = ["On", "GracefulShutdown"] });
        await using RedfishBmcClient client = await ConnectAsync(server);

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.Reset, None));

        Assert.Equal(BmcFailure.Rejected, ex.Failure);
        Assert.Contains("allows only: On, GracefulShutdown", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("POST /redfish/v1/Systems", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_BMC_that_refuses_an_advertised_reset_type_is_rejected_with_its_extended_info()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AcceptedResetTypes = ["On", "ForceOff"] });
        await using RedfishBmcClient client = await ConnectAsync(server);

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.Reset, None));

        Assert.Equal(BmcFailure.Rejected, ex.Failure);
        Assert.True(ex.Message.Contains("HTTP 400", StringComparison.Ordinal), ex.Message);
        Assert.True(ex.Message.Contains("'ForceRestart' for the parameter ResetType is not in the list of acceptable values. (Base.1.8.ActionParameterValueNotInList)", StringComparison.Ordinal), ex.Message);
        Assert.Empty(server.Systems["1"].ResetTypes);
    }

    [Fact]
    public async Task Allowed_reset_types_are_read_from_the_ActionInfo_when_not_inline()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { ResetTypesViaActionInfo = true, AdvertisedResetTypes = ["On", "ForceOff"] });
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetPowerAsync(PowerAction.Cycle, None);

        Assert.Equal(["ForceOff", "On"], server.Systems["1"].ResetTypes);
        Assert.Contains("GET /redfish/v1/Systems/1/ResetActionInfo", server.Requests);
    }

    [Fact]
    public async Task An_asynchronous_reset_is_followed_through_its_task_monitor_until_completed()
    {
        var clock = new VirtualClock();
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AsyncResetPolls = 3 });
        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { TimeProvider = clock, TaskPollInterval = TimeSpan.FromSeconds(2) });

        await client.SetPowerAsync(PowerAction.Reset, None);

        Assert.Equal(4, server.Requests.Count(r => r == "GET /redfish/v1/TaskService/TaskMonitors/1"));
        // Retry-After: 1 from the BMC on the 202 paces the first poll; the monitor's own 202s carry none (the default interval).
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], clock.Pauses);
    }

    [Fact]
    public async Task A_task_that_ends_in_Exception_fails_the_action_with_its_messages()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AsyncResetPolls = 1, AsyncResetFails = true });
        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { TimeProvider = new VirtualClock() });

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.Cycle, None));

        Assert.Equal(BmcFailure.Rejected, ex.Failure);
        Assert.Contains("ended Exception: The power supply did not respond.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_that_never_ends_times_out_after_the_poll_budget()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { AsyncResetPolls = 1000 });
        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { TimeProvider = new VirtualClock(), MaxTaskPolls = 5 });

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.On, None));

        Assert.Equal(BmcFailure.Timeout, ex.Failure);
        Assert.Equal(5, server.Requests.Count(r => r.StartsWith("GET /redfish/v1/TaskService/TaskMonitors/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure_that_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Pa55-Typed";
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { EchoCredentialsInErrors = true });
        var traces = new List<string>();

        var ex = await Assert.ThrowsAsync<BmcException>(() => RedfishBmcClient.ConnectAsync(
            Endpoint(server), new BmcCredential("admin", wrong), new RedfishConnectOptions { Trace = traces.Add }, None));

        Assert.Equal(BmcFailure.Authentication, ex.Failure);
        Assert.Contains("HTTP 401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("wrong user name or password for user 'admin'", ex.Message, StringComparison.Ordinal);
        // The server echoed the login body; the client redacted it.
        Assert.Contains("\"Password\":\"***\"", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.All(traces, t => Assert.DoesNotContain(wrong, t, StringComparison.Ordinal));
        Assert.Contains(server.SeenCredentials, c => c.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Boot_override_Pxe_once_in_UEFI_mode_round_trips()
    {
        await using var server = RedfishTestServer.Start();
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), None);

        SimulatedSystem system = server.Systems["1"];
        Assert.Equal(("Pxe", "Once", "UEFI"), (system.OverrideTarget, system.OverrideEnabled, system.OverrideMode));
        Assert.Equal(new BootOverride(BootDevice.Pxe, Uefi: true, Persistent: false), await client.GetBootOverrideAsync(None));
    }

    [Theory]
    [InlineData(BootDevice.UefiHttp, true, true, "UefiHttp", "Continuous", "UEFI")]
    [InlineData(BootDevice.Disk, false, false, "Hdd", "Once", "Legacy")]
    [InlineData(BootDevice.BiosSetup, false, true, "BiosSetup", "Continuous", "Legacy")]
    public async Task Boot_override_targets_and_modes_map_to_the_Redfish_names(BootDevice device, bool uefi, bool persistent, string target, string enabled, string mode)
    {
        await using var server = RedfishTestServer.Start();
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetBootOverrideAsync(new BootOverride(device, uefi, persistent), None);

        SimulatedSystem system = server.Systems["1"];
        Assert.Equal((target, enabled, mode), (system.OverrideTarget, system.OverrideEnabled, system.OverrideMode));
        Assert.Equal(new BootOverride(device, uefi, persistent), await client.GetBootOverrideAsync(None));
    }

    [Fact]
    public async Task Boot_device_None_disables_the_override()
    {
        await using var server = RedfishTestServer.Start();
        await using RedfishBmcClient client = await ConnectAsync(server);
        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), None);

        await client.SetBootOverrideAsync(new BootOverride(BootDevice.None), None);

        Assert.Equal("Disabled", server.Systems["1"].OverrideEnabled);
        Assert.Equal(BootDevice.None, (await client.GetBootOverrideAsync(None)).Device);
    }

    [Fact]
    public async Task A_system_without_BootSourceOverrideMode_gets_no_mode_in_the_patch()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { BootModeSupported = false });
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe, Uefi: false), None);

        Assert.Equal("Pxe", server.Systems["1"].OverrideTarget);
    }

    [Fact]
    public async Task A_target_the_system_does_not_offer_is_unsupported()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { BootTargets = ["None", "Pxe", "Hdd"] });
        await using RedfishBmcClient client = await ConnectAsync(server);

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetBootOverrideAsync(new BootOverride(BootDevice.UefiHttp), None));

        Assert.Equal(BmcFailure.Unsupported, ex.Failure);
        Assert.Contains("the BMC allows: None, Pxe, Hdd", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Systems["1"].BootPatches);
    }

    [Fact]
    public async Task A_BMC_that_requires_an_ETag_gets_If_Match_with_the_current_one()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { RequireEtag = true });
        await using RedfishBmcClient client = await ConnectAsync(server);

        await client.SetPowerAsync(PowerAction.Off, None); // changes the system's ETag
        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), None);
        await client.SetBootOverrideAsync(new BootOverride(BootDevice.UefiHttp), None);

        Assert.Equal(2, server.Systems["1"].BootPatches);
        Assert.Equal("UefiHttp", server.Systems["1"].OverrideTarget);
    }

    [Fact]
    public async Task A_changed_ETag_between_read_and_write_is_read_again_once()
    {
        RedfishTestServer? server = null;
        int patches = 0;
        server = RedfishTestServer.Start(new RedfishTestServerOptions
        {
            RequireEtag = true,
            // Another client changes the system just before our first PATCH arrives.
            OnRequest = (method, path) =>
            {
                if (method == "PATCH" && Interlocked.Increment(ref patches) == 1)
                {
                    server!.Systems["1"].ETag = "W/\"changed-elsewhere\"";
                }
            },
        });
        await using (server)
        {
            await using RedfishBmcClient client = await ConnectAsync(server);

            await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), None);

            Assert.Equal(2, patches);
            Assert.Equal("Pxe", server.Systems["1"].OverrideTarget);
        }
    }

    [Fact]
    public async Task Without_a_session_service_the_client_falls_back_to_Basic()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { SessionsSupported = false });
        await using RedfishBmcClient client = await ConnectAsync(server);

        Assert.False(client.UsesSession);
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(None));
        Assert.Equal(0, server.SessionsCreated);
    }

    [Fact]
    public async Task Session_only_refuses_a_BMC_without_sessions()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { SessionsSupported = false });

        var ex = await Assert.ThrowsAsync<BmcException>(() => ConnectAsync(server, new RedfishConnectOptions { Authentication = RedfishAuthentication.Session }));

        Assert.Equal(BmcFailure.Negotiation, ex.Failure);
    }

    [Fact]
    public async Task Basic_authentication_creates_no_session()
    {
        await using var server = RedfishTestServer.Start();
        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { Authentication = RedfishAuthentication.Basic });

        await client.SetPowerAsync(PowerAction.Cycle, None);

        Assert.Equal(0, server.SessionsCreated);
        Assert.Equal(["PowerCycle"], server.Systems["1"].ResetTypes);
    }

    [Fact]
    public async Task A_BMC_with_several_systems_needs_a_SystemId()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { SystemIds = ["blade1", "blade2"] });

        var ex = await Assert.ThrowsAsync<BmcException>(() => ConnectAsync(server));
        Assert.Contains("manages 2 systems (blade1, blade2)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.OpenSessions);

        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { SystemId = "blade2" });
        await client.SetPowerAsync(PowerAction.Off, None);
        Assert.Equal(["ForceOff"], server.Systems["blade2"].ResetTypes);
        Assert.Empty(server.Systems["blade1"].ResetTypes);
    }

    [Fact]
    public async Task An_unreachable_BMC_is_a_transport_failure()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var ex = await Assert.ThrowsAsync<BmcException>(() => RedfishBmcClient.ConnectAsync(
            new BmcEndpoint("127.0.0.1", BmcProtocol.Redfish, port, UseTls: false), new BmcCredential("admin", "x"), null, None));

        Assert.Equal(BmcFailure.Transport, ex.Failure);
        Assert.StartsWith($"redfish://127.0.0.1:{port}: GET /redfish/v1/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_BMC_that_never_answers_times_out_per_request()
    {
        await using var server = RedfishTestServer.Start(new RedfishTestServerOptions { HangOnReset = true });
        await using RedfishBmcClient client = await ConnectAsync(server, new RedfishConnectOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.Cycle, None));

        Assert.Equal(BmcFailure.Timeout, ex.Failure);
        Assert.True(server.HangingRequestArrived.Task.IsCompleted);
    }

    [Fact]
    public void Certificate_checks_stay_on_unless_the_endpoint_opts_out()
    {
        using SocketsHttpHandler strict = RedfishBmcClient.CreateHandler(new BmcEndpoint("bmc", BmcProtocol.Redfish));
        using SocketsHttpHandler lab = RedfishBmcClient.CreateHandler(new BmcEndpoint("bmc", BmcProtocol.Redfish, SkipCertificateCheck: true));

        Assert.Null(strict.SslOptions.RemoteCertificateValidationCallback);
        Assert.NotNull(lab.SslOptions.RemoteCertificateValidationCallback);
        Assert.False(strict.AllowAutoRedirect);
    }

    [Fact]
    public async Task An_IPMI_endpoint_is_refused()
    {
        var ex = await Assert.ThrowsAsync<BmcException>(() => RedfishBmcClient.ConnectAsync(new BmcEndpoint("bmc", BmcProtocol.Ipmi), new BmcCredential("a", "b"), null, None));

        Assert.Equal(BmcFailure.Unsupported, ex.Failure);
    }

    internal static BmcEndpoint Endpoint(RedfishTestServer server) => new("127.0.0.1", BmcProtocol.Redfish, server.Port, UseTls: false);

    private static Task<RedfishBmcClient> ConnectAsync(RedfishTestServer server, RedfishConnectOptions? options = null) =>
        RedfishBmcClient.ConnectAsync(Endpoint(server), new BmcCredential(server.Options.UserName, server.Options.Password), options, None);
}
