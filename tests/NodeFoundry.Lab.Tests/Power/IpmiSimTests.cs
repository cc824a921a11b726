using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power;

/// <summary>
/// IpmiBmcClient against a real BMC (ipmi_sim, cipher suite 3 — it refuses 17), every effect cross-checked with
/// ipmitool -I lanplus reading the same BMC, and the reverse (ipmitool sets, we read).
/// </summary>
public sealed class IpmiSimTests : IClassFixture<IpmiSimulator>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly IpmiSimulator _bmc;

    public IpmiSimTests(IpmiSimulator bmc)
    {
        _bmc = bmc;
    }

    [Fact]
    public async Task Negotiation_picks_suite_3_after_the_simulator_refuses_17()
    {
        var log = new List<string>();
        await using var client = await Connect(new IpmiConnectOptions { Log = log.Add });

        Assert.Equal(3, client.CipherSuite.Id);
        Assert.Contains(log, line => line.Contains("cipher suite 17 refused (invalid authentication algorithm (04h))", StringComparison.Ordinal));
        // The same refusal seen by ipmitool: the simulator really does not offer 17.
        var (exitCode, output) = _bmc.TryIpmitool("-C", "17", "chassis", "power", "status");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("invalid authentication algorithm", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proposing_only_17_fails_with_a_negotiation_error()
    {
        var ex = await Assert.ThrowsAsync<BmcException>(() => Connect(new IpmiConnectOptions { CipherSuites = [17] }));

        Assert.Equal(BmcFailure.Negotiation, ex.Failure);
        Assert.Contains("none of the proposed cipher suites (17: invalid authentication algorithm (04h))", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Power_on_and_off_agree_with_ipmitool()
    {
        await using var client = await Connect();

        await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("Chassis Power is on", _bmc.RunIpmitool("chassis", "power", "status"), StringComparison.Ordinal);

        await client.SetPowerAsync(PowerAction.Off, CancellationToken.None);
        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("System Power         : off", _bmc.RunIpmitool("chassis", "status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Power_set_by_ipmitool_is_read_by_us()
    {
        await using var client = await Connect();

        _bmc.RunIpmitool("chassis", "power", "on");
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        _bmc.RunIpmitool("chassis", "power", "off");
        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Cycle_reset_and_soft_off_reach_the_chassis()
    {
        await using var client = await Connect();
        await client.SetPowerAsync(PowerAction.On, CancellationToken.None);

        _bmc.ClearEvents();
        await client.SetPowerAsync(PowerAction.Cycle, CancellationToken.None);
        // ipmi_sim cycles by powering off, then on again after its cycle delay (about a second).
        Assert.True(await WaitForEvent("set power 1"), string.Join(" | ", _bmc.Events()));
        Assert.Contains("set power 0", _bmc.Events());
        Assert.True(Array.IndexOf(_bmc.Events(), "set power 0") < Array.LastIndexOf(_bmc.Events(), "set power 1"));
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("Chassis Power is on", _bmc.RunIpmitool("chassis", "power", "status"), StringComparison.Ordinal);

        _bmc.ClearEvents();
        await client.SetPowerAsync(PowerAction.Reset, CancellationToken.None);
        Assert.Contains("set reset 1", _bmc.Events());

        _bmc.ClearEvents();
        await client.SetPowerAsync(PowerAction.SoftOff, CancellationToken.None);
        Assert.Contains("set shutdown 1", _bmc.Events());
        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Cycle_of_a_node_that_is_off_powers_it_on()
    {
        await using var client = await Connect();
        await client.SetPowerAsync(PowerAction.Off, CancellationToken.None);

        await client.SetPowerAsync(PowerAction.Cycle, CancellationToken.None);

        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("Chassis Power is on", _bmc.RunIpmitool("chassis", "power", "status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pxe_once_with_uefi_is_what_ipmitool_reads_back()
    {
        await using var client = await Connect();

        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe, Uefi: true, Persistent: false), CancellationToken.None);

        Assert.Equal("pxe", _bmc.BootState());
        Assert.Contains("Boot Device Selector : Force PXE", _bmc.RunIpmitool("chassis", "bootparam", "get", "5"), StringComparison.Ordinal);
        var flags = await client.GetBootFlagsAsync(CancellationToken.None);
        Assert.Equal(BootFlags.SelectorPxe, flags.DeviceSelector);
        // ipmi_sim keeps only the device (through chassis_control); it answers the valid, persistent and EFI bits as 0,
        // so by the spec there is no override in force. The bits we send are pinned by golden bytes in the engine tests.
        Assert.False(flags.Valid);
        Assert.Equal(BootDevice.None, (await client.GetBootOverrideAsync(CancellationToken.None)).Device);
    }

    [Fact]
    public async Task Disk_persistent_is_what_ipmitool_reads_back()
    {
        await using var client = await Connect();

        await client.SetBootOverrideAsync(new BootOverride(BootDevice.Disk, Uefi: false, Persistent: true), CancellationToken.None);

        Assert.Equal("default", _bmc.BootState()); // ipmi_sim's name for "default hard disk"
        Assert.Contains("Boot Device Selector : Force Boot from default Hard-Drive", _bmc.RunIpmitool("chassis", "bootparam", "get", "5"), StringComparison.Ordinal);
        Assert.Equal(BootFlags.SelectorDisk, (await client.GetBootFlagsAsync(CancellationToken.None)).DeviceSelector);
    }

    [Fact]
    public async Task Boot_device_set_by_ipmitool_is_read_by_us()
    {
        await using var client = await Connect();

        _bmc.RunIpmitool("chassis", "bootdev", "pxe");
        Assert.Equal(BootFlags.SelectorPxe, (await client.GetBootFlagsAsync(CancellationToken.None)).DeviceSelector);
        _bmc.RunIpmitool("chassis", "bootdev", "bios");
        Assert.Equal(BootFlags.SelectorBiosSetup, (await client.GetBootFlagsAsync(CancellationToken.None)).DeviceSelector);
        _bmc.RunIpmitool("chassis", "bootdev", "disk");
        Assert.Equal(BootFlags.SelectorDisk, (await client.GetBootFlagsAsync(CancellationToken.None)).DeviceSelector);
    }

    [Fact]
    public async Task Uefi_http_boot_is_unsupported_over_ipmi()
    {
        await using var client = await Connect();

        var ex = await Assert.ThrowsAsync<BmcException>(() => client.SetBootOverrideAsync(new BootOverride(BootDevice.UefiHttp), CancellationToken.None));

        Assert.Equal(BmcFailure.Unsupported, ex.Failure);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_that_says_so()
    {
        var ex = await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, new BmcCredential(IpmiSimulator.UserName, "not-the-password"), null, CancellationToken.None));

        Assert.Equal(BmcFailure.Authentication, ex.Failure);
        Assert.Equal($"ipmi://127.0.0.1:{_bmc.Port}: authentication failed for user 'admin' (RAKP 2 HMAC mismatch): check the user name and password", ex.Message);
    }

    [Fact]
    public async Task An_unknown_user_is_an_authentication_failure()
    {
        var ex = await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, new BmcCredential("nobody", IpmiSimulator.Password), null, CancellationToken.None));

        Assert.Equal(BmcFailure.Authentication, ex.Failure);
        Assert.Contains("user 'nobody'", ex.Message, StringComparison.Ordinal);
    }

    private Task<IpmiBmcClient> Connect(IpmiConnectOptions? options = null) =>
        IpmiBmcClient.ConnectAsync(_bmc.Endpoint, IpmiSimulator.Credential, options, CancellationToken.None);

    private async Task<bool> WaitForEvent(string line)
    {
        // Bounded: polls the chassis log every 100 ms for at most Patience.
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (_bmc.Events().Contains(line))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
