using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Firmware;

/// <summary>
/// One namespace, one `nodefoundry serve` and three VMs started together — SeaBIOS + iPXE ROM, OVMF PXE, OVMF HTTP
/// Boot — so the three boots overlap and the class costs about one boot's wall time. Each test then waits for its own
/// VM. Dispose ends the VMs and the server by PID and deletes the namespace and the temp folder, also after a failure.
/// </summary>
public sealed class FirmwareBootFixture : IDisposable
{
    public static readonly E2ENode BiosNode = new("bios01", "52:54:00:e2:e0:01", "192.0.2.11", VmFirmware.Bios);
    public static readonly E2ENode UefiPxeNode = new("uefipxe01", "52:54:00:e2:e0:02", "192.0.2.12", VmFirmware.UefiPxe);
    public static readonly E2ENode UefiHttpNode = new("uefihttp01", "52:54:00:e2:e0:03", "192.0.2.13", VmFirmware.UefiHttp);

    /// <summary>Per VM, from its start; generous because TCG shares 2 cores with other builds (firmware-lab.md: 14–34 s alone).</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(300);

    private readonly List<QemuVm> _vms = [];

    public FirmwareBootFixture()
    {
        try
        {
            Image = GuestImage.Build();
            Network = new E2ENetwork();
            Fleet = new E2EFleet(Image, [BiosNode, UefiPxeNode, UefiHttpNode]);
            Server = E2EServer.Start(Network, Fleet);
            var offset = 0;
            foreach (var node in Fleet.Nodes)
            {
                // Distinct -rtc bases: OVMF seeds its DHCP xid from the RTC second.
                _vms.Add(QemuVm.Start(Network, node.Firmware, node.Name, node.MacAddress, Fleet.VmDirectory, rtcOffsetSeconds: offset += 37));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public GuestImage Image { get; } = null!;

    public E2ENetwork Network { get; } = null!;

    public E2EFleet Fleet { get; } = null!;

    public E2EServer Server { get; } = null!;

    public QemuVm Vm(E2ENode node) => _vms.Single(v => v.MacAddress == node.MacAddress);

    public void Dispose()
    {
        foreach (var vm in _vms)
        {
            vm.Dispose();
        }

        Network?.Dispose();
        Fleet?.Dispose();
    }
}
