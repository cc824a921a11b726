using System.Globalization;
using NodeFoundry.Power;
using NodeFoundry.Tests.Infrastructure;
using NodeFoundry.Timeline;
using Xunit.Abstractions;

namespace NodeFoundry.Tests.Power;

/// <summary>
/// Power through a real BMC: ipmi_sim powers a QEMU VM (SeaBIOS + iPXE ROM). Powered on without a boot override the
/// VM boots its (absent) disk only and never reaches NodeFoundry; after <c>chassis bootdev pxe</c> and a power cycle
/// it PXE-boots through NodeFoundry to phone-home, seen in the server's boot timeline, and powers itself off.
/// </summary>
public sealed class PowerCycleTests : IDisposable
{
    private static readonly E2ENode Node = new("bmc01", "52:54:00:e2:e0:11", "192.0.2.21", VmFirmware.Bios);
    private readonly ITestOutputHelper _output;
    private readonly List<IDisposable> _cleanup = [];

    public PowerCycleTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>
    /// The BMC client under test: NodeFoundry's own, opened the way Invoke-NfPowerCycle opens it (BmcClientFactory →
    /// IpmiBmcClient over RMCP+). It proposes cipher suite 17 first; ipmi_sim rejects it, so the session runs on 3.
    /// </summary>
    private static Task<IBmcClient> ConnectAsync(BmcEndpoint endpoint, BmcCredential credential, CancellationToken ct) =>
        new BmcClientFactory().ConnectAsync(endpoint, credential, ct);

    [Fact]
    public async Task BootdevPxeAndPowerCycle_ThroughIpmiSim_PxeBootsTheVmThroughNodeFoundryToPhoneHome()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var ct = timeout.Token;
        var image = GuestImage.Build();
        var fleet = Own(new E2EFleet(image, [Node]));
        var network = Own(new E2ENetwork());
        var server = E2EServer.Start(network, fleet);
        var vm = Own(new SimulatedBmc(network, Node.Name, Node.MacAddress, fleet.VmDirectory));
        vm.WaitUntilListening(TimeSpan.FromSeconds(30));
        await using var bmc = await ConnectAsync(new BmcEndpoint("127.0.0.1", BmcProtocol.Ipmi, vm.Port), new BmcCredential(SimulatedBmc.UserName, vm.Password), ct);

        Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync(ct));

        // Power on with no override: the VM boots the disk only, so NodeFoundry must not see it at all.
        var firstStart = DateTime.UtcNow;
        await bmc.SetPowerAsync(PowerAction.On, ct);
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync(ct));
        var firstPid = vm.VmProcessId();
        await bmc.SetPowerAsync(PowerAction.Reset, ct);
        await Task.Delay(TimeSpan.FromSeconds(12), ct);
        // A reset keeps the same QEMU (monitor system_reset); it does not restart it.
        Assert.True(firstPid is not null && firstPid == vm.VmProcessId() && vm.ScriptLog.Contains("system_reset", StringComparison.Ordinal), $"pid {firstPid} → {vm.VmProcessId()}\n{vm.QemuOutput}");
        Assert.True(ServerTimeline.Stages(server.Process.StandardOutput, Node.MacAddress, firstStart).Count == 0, server.Explain(vm, firstStart, "booting the disk only, the VM reached NodeFoundry"));

        // bootdev pxe (next boot only), then a power cycle — run as Invoke-NfPowerCycle runs it: the fleet power
        // orchestrator over BmcClientFactory (a one-node wave), with its own session to the BMC.
        vm.MarkPowerRequest();
        var orchestrator = new PowerCycleOrchestrator(new BmcClientFactory().ConnectAsync, new PowerCycleOptions { Stagger = TimeSpan.Zero });
        var request = new PowerCycleRequest(Node.Name, bmc.Endpoint, new BmcCredential(SimulatedBmc.UserName, vm.Password), new BootOverride(BootDevice.Pxe, Uefi: false), PowerAction.Cycle);
        var results = new List<PowerCycleResult>();
        await foreach (var result in orchestrator.RunAsync([request], null, ct))
        {
            results.Add(result);
        }

        var cycled = Assert.Single(results);
        Assert.True(cycled.Succeeded, cycled.Error);
        Assert.Equal(PowerState.On, cycled.PowerBefore);
        Assert.Equal(BootDevice.Pxe, cycled.BootDeviceSet);
        _output.WriteLine($"power cycle result: {cycled}");

        var stages = server.WaitForInstalled(vm, TimeSpan.FromSeconds(300));
        foreach (var (stage, at) in stages.OrderBy(kv => kv.Value))
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Node.Name} {stage,-13} +{(at - vm.StartedUtc).TotalSeconds,6:0.0} s"));
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"E2E-TIMES BMC power cycle {Node.Name}: → DHCP {ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.Offered, BootStage.Bound, BootStage.IpxeDhcp)} s, → script {ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.ScriptFetched)} s, → phone-home {ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.Installed)} s"));
        _output.WriteLine("chassis_control log:\n" + vm.ScriptLog);
        Assert.True(stages.ContainsKey(BootStage.IpxeDhcp), "the iPXE ROM's DHCP is in the timeline");
        Assert.True(stages.ContainsKey(BootStage.ScriptFetched), "the per-node script was served");
        Assert.True(stages.ContainsKey(BootStage.Kernel), "the kernel was served");
        Assert.Contains("booting pxe", vm.ScriptLog, StringComparison.Ordinal);

        // The guest powered itself off after phoning home: the BMC reports it (bounded wait).
        var off = false;
        for (var i = 0; i < 60 && !off; i++)
        {
            off = await bmc.GetPowerStateAsync(ct) == PowerState.Off;
            if (!off)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }

        Assert.True(off, "the BMC reports the VM off after it powered itself off");

        // The guest writes this line after its request returned, so the server may record Installed first: read the
        // serial log once the guest is off (it powers off after the line), not as soon as the server saw the request.
        Assert.Contains("nf-e2e: phoned home: http://192.0.2.1/phone-home/" + Node.MacAddress, vm.SerialLog, StringComparison.Ordinal);

        // The override was for one boot: it is gone.
        // ipmi_sim keeps only the device selector of the boot flags (it answers valid/persistent/EFI as 0, so the
        // contract's GetBootOverrideAsync reads "no override" either way): the raw selector shows it was cleared.
        var ipmi = Assert.IsType<NodeFoundry.Power.Ipmi.IpmiBmcClient>(bmc);
        Assert.Equal(0, (await ipmi.GetBootFlagsAsync(ct)).DeviceSelector);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        // Last in, first out: the BMC and its VM, the namespace (and the server in it), then the fleet's folder.
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }
    }
}
