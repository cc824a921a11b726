using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>
/// IpmiBmcClient against <see cref="FakeIpmiBmc"/> for what ipmi_sim cannot show (the ipmi_sim lab tests are the proof
/// of interoperability): cipher suite 17 end to end, lost, duplicated and missing answers, completion codes, and
/// boot flags bit for bit. Timeouts here are short so retries happen; no assertion is about elapsed time.
/// </summary>
public sealed class IpmiBmcClientTests
{
    private static readonly IpmiConnectOptions Quick = new() { Timeout = TimeSpan.FromMilliseconds(300), Retries = 3 };

    [Fact]
    public async Task Suite_17_is_chosen_when_offered_and_carries_a_whole_session()
    {
        using var bmc = new FakeIpmiBmc(17, 3);
        await using (var client = await Connect(bmc))
        {
            Assert.Equal(17, client.CipherSuite.Id);
            Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));
            await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
            Assert.True(bmc.PowerOn);
            Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        }

        Assert.Equal(["open 03/04/01", "session 17"], bmc.Received.Where(r => r.StartsWith("open", StringComparison.Ordinal) || r.StartsWith("session", StringComparison.Ordinal)));
        Assert.Contains("06/3B 04", bmc.Received);                 // raised to Administrator
        Assert.Contains("06/3C 0DF0AD0B", bmc.Received);           // Close Session with the BMC's session ID
        Assert.DoesNotContain(bmc.Received, r => r.StartsWith("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_idle_past_the_limit_is_closed_and_opened_again_before_the_next_request()
    {
        // BMCs expire idle sessions and then drop their packets silently; a zero limit makes every request "after idle".
        using var bmc = new FakeIpmiBmc(17, 3);
        await using (var client = await Connect(bmc, Quick with { SessionIdleLimit = TimeSpan.Zero }))
        {
            await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
            Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        }

        Assert.True(bmc.PowerOn);
        Assert.Equal(3, bmc.Count("session 17"));   // connect, then once before each of the two requests
        Assert.Equal(3, bmc.Count("06/3C "));       // the two idle sessions closed, then the last one on dispose
        Assert.Equal(3, bmc.Count("06/3B 04"));     // every new session raised to Administrator
    }

    [Fact]
    public async Task Suite_3_is_the_fallback_when_17_is_refused()
    {
        using var bmc = new FakeIpmiBmc(3);
        await using var client = await Connect(bmc);

        Assert.Equal(3, client.CipherSuite.Id);
        Assert.Equal(["open 03/04/01", "open 01/01/01", "session 3"], bmc.Received.Where(r => r.StartsWith("open", StringComparison.Ordinal) || r.StartsWith("session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Suite_0_is_never_proposed_unless_forced()
    {
        using var bmc = new FakeIpmiBmc(0);

        var refused = await Assert.ThrowsAsync<BmcException>(() => Connect(bmc));
        Assert.Equal(BmcFailure.Negotiation, refused.Failure);
        await Assert.ThrowsAsync<ArgumentException>(() => Connect(bmc, Quick with { CipherSuites = [0] }));

        await using var client = await Connect(bmc, Quick with { CipherSuites = [0], AllowCipherSuite0 = true });
        Assert.Equal(0, client.CipherSuite.Id);
        await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
        Assert.True(bmc.PowerOn);
    }

    [Theory]
    [InlineData(BootDevice.Pxe, true, false, "A004000000")]
    [InlineData(BootDevice.Pxe, false, true, "C004000000")]
    [InlineData(BootDevice.Disk, false, true, "C008000000")]
    [InlineData(BootDevice.BiosSetup, true, false, "A018000000")]
    public async Task Boot_override_round_trips_bit_for_bit(BootDevice device, bool uefi, bool persistent, string flags)
    {
        using var bmc = new FakeIpmiBmc(17);
        await using var client = await Connect(bmc);
        var wanted = new BootOverride(device, uefi, persistent);

        await client.SetBootOverrideAsync(wanted, CancellationToken.None);

        Assert.Equal(flags, Convert.ToHexString(bmc.BootFlags));
        Assert.Equal(wanted, await client.GetBootOverrideAsync(CancellationToken.None));
        // set in progress, clear the BIOS acknowledge, the flags, set complete — in that order
        Assert.Equal(["00/08 0001", "00/08 040101", "00/08 05" + flags, "00/08 0000"], bmc.Received.Where(r => r.StartsWith("00/08", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Lost_answers_are_recovered_by_resending()
    {
        using var bmc = new FakeIpmiBmc(17);
        await using var client = await Connect(bmc);
        bmc.DropAnswers[(0x00, IpmiCommands.GetChassisStatus)] = 2;

        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));

        Assert.Equal(3, bmc.Count("00/01"));
    }

    [Fact]
    public async Task Duplicated_answers_are_dropped_not_mistaken_for_the_next_answer()
    {
        using var bmc = new FakeIpmiBmc(17) { Duplicate = true };
        var log = new List<string>();
        await using var client = await Connect(bmc, Quick with { Log = log.Add });

        await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        await client.SetPowerAsync(PowerAction.Off, CancellationToken.None);
        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));

        Assert.Contains(log, line => line.Contains("answer to another request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_silent_bmc_is_a_timeout_after_the_bounded_retries()
    {
        using var bmc = new FakeIpmiBmc(17) { Silent = true };

        var ex = await Assert.ThrowsAsync<BmcException>(() => Connect(bmc, Quick with { Timeout = TimeSpan.FromMilliseconds(100), Retries = 2 }));

        Assert.Equal(BmcFailure.Timeout, ex.Failure);
        Assert.Contains("no answer to Get Channel Authentication Capabilities after 3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, bmc.Count("ignored"));
    }

    [Fact]
    public async Task A_wrong_password_with_suite_17_is_an_authentication_failure()
    {
        using var bmc = new FakeIpmiBmc(17);

        var ex = await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(bmc.Endpoint, new BmcCredential(bmc.UserName, "wrong"), Quick, CancellationToken.None));

        Assert.Equal(BmcFailure.Authentication, ex.Failure);
        Assert.Contains("authentication failed for user 'operator' (RAKP 2 HMAC mismatch): check the user name and password", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rakp3 status 0F", bmc.Received); // the BMC is told why, so it frees the session
    }

    [Fact]
    public async Task An_unknown_user_is_an_authentication_failure_naming_the_rakp_status()
    {
        using var bmc = new FakeIpmiBmc(17);

        var ex = await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(bmc.Endpoint, new BmcCredential("ghost", bmc.Password), Quick, CancellationToken.None));

        Assert.Equal(BmcFailure.Authentication, ex.Failure);
        Assert.Contains("user 'ghost' (RAKP 2 status unauthorized name (0Dh))", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xD4, BmcFailure.Authentication, "insufficient privilege level (D4h)")]
    [InlineData(0xCC, BmcFailure.Rejected, "invalid data field in request (CCh)")]
    [InlineData(0xD5, BmcFailure.Rejected, "command not supported in the present state (D5h)")]
    public async Task Completion_codes_become_failures_that_name_them(byte code, BmcFailure failure, string text)
    {
        using var bmc = new FakeIpmiBmc(17);
        await using var client = await Connect(bmc);
        bmc.FailWith[(0x00, IpmiCommands.ChassisControl)] = code;

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetPowerAsync(PowerAction.Off, CancellationToken.None));

        Assert.Equal(failure, ex.Failure);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bmc_without_the_set_in_progress_lock_still_gets_the_flags()
    {
        using var bmc = new FakeIpmiBmc(17);
        await using var client = await Connect(bmc);
        bmc.FailWith[(0x00, IpmiCommands.SetSystemBootOptions)] = 0x80; // every parameter "not supported"…

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), CancellationToken.None));

        // …so the lock and acknowledge are skipped as ipmitool skips them, and the flags write itself is the failure.
        Assert.Equal(BmcFailure.Rejected, ex.Failure);
        Assert.Contains("Set System Boot Options (boot flags)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("00/08 0000", bmc.Received); // no "set complete" for a lock never taken
    }

    [Fact]
    public async Task Nothing_listening_is_a_transport_failure()
    {
        int port;
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var ex = await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(new BmcEndpoint("127.0.0.1", BmcProtocol.Ipmi, port), new BmcCredential("a", "b"), Quick, CancellationToken.None));

        Assert.Equal(BmcFailure.Transport, ex.Failure);
    }

    private static Task<IpmiBmcClient> Connect(FakeIpmiBmc bmc, IpmiConnectOptions? options = null) =>
        IpmiBmcClient.ConnectAsync(bmc.Endpoint, new BmcCredential(bmc.UserName, bmc.Password), options ?? Quick, CancellationToken.None);
}
