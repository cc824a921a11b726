using System.Globalization;
using NodeFoundry.Tests.Infrastructure;
using NodeFoundry.Timeline;
using Xunit.Abstractions;

namespace NodeFoundry.Tests.Firmware;

/// <summary>
/// Real firmware network-boots through NodeFoundry to a running kernel that phones home; each test asserts the node's
/// boot timeline on the server and writes its wall times (VM start → DHCP, → script, → phone-home) to the test output.
/// </summary>
public sealed class FirmwareBootTests : IClassFixture<FirmwareBootFixture>
{
    private readonly FirmwareBootFixture _lab;
    private readonly ITestOutputHelper _output;

    public FirmwareBootTests(FirmwareBootFixture lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    /// <summary>SeaBIOS + the iPXE ROM of ipxe-qemu: its first DHCP is already iPXE's, so it gets the script URL at once.</summary>
    [Fact]
    public void Bios_IpxeRom_BootsKernelOverHttpAndPhonesHome()
    {
        var stages = Boot(FirmwareBootFixture.BiosNode);
        Assert.True(stages.ContainsKey(BootStage.IpxeDhcp), "the iPXE ROM's DHCP is in the timeline");
        Assert.False(stages.ContainsKey(BootStage.NbpFetched), "the iPXE ROM fetches no NBP: NodeFoundry breaks the loop at once");
    }

    /// <summary>OVMF's own PXE: DHCP (arch 7) → snponly.efi over TFTP → iPXE's DHCP → script → kernel → phone-home.</summary>
    [Fact]
    public void UefiPxe_Ovmf_ChainsIpxeOverTftpBootsKernelAndPhonesHome()
    {
        var stages = Boot(FirmwareBootFixture.UefiPxeNode);
        Assert.True(stages.ContainsKey(BootStage.Bound), "OVMF's own DHCP lease is in the timeline");
        Assert.True(stages.ContainsKey(BootStage.NbpFetched), "the NBP came over TFTP");
        Assert.True(stages.ContainsKey(BootStage.IpxeDhcp), "iPXE ran its own DHCP");
        Assert.True(stages[BootStage.NbpFetched] <= stages[BootStage.IpxeDhcp], "the NBP came before iPXE's DHCP");
    }

    /// <summary>OVMF UEFI HTTP Boot (PXE off): DHCP as HTTPClient → ipxe.efi by URL over HTTP → iPXE → script → phone-home.</summary>
    [Fact]
    public void UefiHttpBoot_Ovmf_FetchesIpxeByUrlBootsKernelAndPhonesHome()
    {
        var stages = Boot(FirmwareBootFixture.UefiHttpNode);
        Assert.True(stages.ContainsKey(BootStage.NbpFetched), "the loader came over HTTP (a GET of the fleet's loader URL)");
        Assert.True(stages.ContainsKey(BootStage.IpxeDhcp), "iPXE ran its own DHCP");
        var lines = _lab.Server.Process.StandardOutput.Split('\n');
        Assert.Contains(lines, l => l.Contains(" http 200 ", StringComparison.Ordinal) && l.Contains("GET /ipxe.efi", StringComparison.Ordinal) && l.Contains("UefiHttpBoot", StringComparison.Ordinal));
    }

    /// <summary>Waits for the node's VM to phone home, asserts the path every firmware shares, records the wall times.</summary>
    private IReadOnlyDictionary<BootStage, DateTime> Boot(E2ENode node)
    {
        var vm = _lab.Vm(node);
        var stages = _lab.Server.WaitForInstalled(vm, FirmwareBootFixture.BootTimeout);
        foreach (var (stage, at) in stages.OrderBy(kv => kv.Value))
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{node.Name} {stage,-13} +{(at - vm.StartedUtc).TotalSeconds,6:0.0} s"));
        }

        foreach (var line in _lab.Server.LinesFor(vm))
        {
            _output.WriteLine("  server: " + line);
        }

        // The firmware and iPXE part of the serial console (OVMF mirrors its console there; SeaBIOS's iPXE ROM does not).
        var serial = vm.SerialLog;
        var kernelAt = serial.IndexOf("Linux version", StringComparison.Ordinal);
        var firmware = kernelAt < 0 ? serial : serial[..kernelAt];
        _output.WriteLine("serial before the kernel (tail):");
        _output.WriteLine(firmware.Length > 3000 ? firmware[^3000..] : firmware);

        var dhcp = ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.Offered, BootStage.Bound, BootStage.IpxeDhcp);
        var script = ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.ScriptFetched);
        var installed = ServerTimeline.SecondsTo(stages, vm.StartedUtc, BootStage.Installed);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"E2E-TIMES {node.Firmware} {node.Name}: VM start → DHCP {dhcp} s, → script {script} s, → phone-home {installed} s"));

        // The path every firmware shares once iPXE runs: the per-node script, the profile's kernel and initrd, phone-home.
        Assert.True(stages.ContainsKey(BootStage.ScriptFetched), "the per-node iPXE script was served");
        Assert.True(stages.ContainsKey(BootStage.Kernel), "the profile's kernel was served");
        Assert.True(stages.ContainsKey(BootStage.Initrd), "the profile's initrd was served");
        Assert.True(stages[BootStage.ScriptFetched] <= stages[BootStage.Kernel], "script before kernel");
        Assert.True(stages[BootStage.Kernel] <= stages[BootStage.Installed], "kernel before phone-home");

        // The guest itself says it phoned home with its own MAC, and powered off (QEMU -no-reboot then exits).
        Assert.True(vm.WaitForExit(TimeSpan.FromSeconds(60)), _lab.Server.Explain(vm, vm.StartedUtc, $"{node.Name} did not power off after phoning home"));
        Assert.Contains("nf-e2e: phoned home: http://192.0.2.1/phone-home/" + node.MacAddress, vm.SerialLog, StringComparison.Ordinal);
        return stages;
    }
}
