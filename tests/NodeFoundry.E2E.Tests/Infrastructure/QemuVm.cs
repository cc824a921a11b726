using System.Globalization;
using System.Text;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>The firmware a VM network-boots with (shared/firmware-lab.md has the lines and what each sends).</summary>
public enum VmFirmware
{
    /// <summary>SeaBIOS with the iPXE ROM of ipxe-qemu on an e1000: the first DHCP is already iPXE's.</summary>
    Bios,

    /// <summary>OVMF's own PXE on virtio-net (romfile= empty, so the NIC's iPXE EFI ROM stays out): TFTP → iPXE.</summary>
    UefiPxe,

    /// <summary>OVMF UEFI HTTP Boot (PXEv4/v6 switched off through fw_cfg): the loader's URL over HTTP → iPXE.</summary>
    UefiHttp,
}

/// <summary>
/// One QEMU VM under TCG (/dev/kvm here is a slow paravirtual KVM), 256 MB, one vCPU, its own <c>-rtc base</c>
/// (OVMF seeds DHCP xids from the RTC), serial console to a file, <c>-no-reboot</c> (the guest's
/// poweroff or a panic ends QEMU). QEMU runs inside the test's namespace on a tap of the bridge; Dispose kills it by
/// the PID it wrote to its own <c>-pidfile</c>, and only that process.
/// </summary>
public sealed class QemuVm : IBootingVm, IDisposable
{
    public const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    private readonly LabProcess _process;

    private QemuVm(string name, VmFirmware firmware, string mac, string directory, LabProcess process, DateTime startedUtc)
    {
        Name = name;
        Firmware = firmware;
        MacAddress = mac;
        Directory = directory;
        _process = process;
        StartedUtc = startedUtc;
    }

    public string Name { get; }

    public VmFirmware Firmware { get; }

    /// <summary>52:54:00:… as given to QEMU.</summary>
    public string MacAddress { get; }

    public string Directory { get; }

    public DateTime StartedUtc { get; }

    public string SerialLogPath => Path.Combine(Directory, Name + ".serial.log");

    public string PidFilePath => Path.Combine(Directory, Name + ".pid");

    public bool HasExited => _process.HasExited;

    public string QemuOutput => _process.StandardOutput + _process.StandardError;

    /// <summary>The serial console so far (firmware messages, the kernel, the guest's /init).</summary>
    public string SerialLog => ReadShared(SerialLogPath);

    /// <summary>The QEMU command line (without <c>ip netns exec</c>), as docs/e2e.md shows it.</summary>
    public static IReadOnlyList<string> Arguments(VmFirmware firmware, string name, string mac, string tap, string directory, int rtcOffsetSeconds, bool withBiosBootOrder = true, bool noReboot = true)
    {
        var rtc = DateTime.UtcNow.AddSeconds(-rtcOffsetSeconds).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "-name", "nf-e2e-" + name,
            "-accel", "tcg",
            "-m", "256",
            "-smp", "1",
            "-display", "none",
            "-rtc", "base=" + rtc,
            "-serial", "file:" + Path.Combine(directory, name + ".serial.log"),
            "-monitor", "none",
            "-pidfile", Path.Combine(directory, name + ".pid"),
            "-netdev", $"tap,id=n0,ifname={tap},script=no,downscript=no",
        };
        if (noReboot)
        {
            // The guest's poweroff -f (or a panic) ends QEMU. Note: it turns a monitor system_reset into an exit too.
            args.Add("-no-reboot");
        }

        switch (firmware)
        {
            case VmFirmware.Bios:
                args.AddRange(["-machine", "pc", "-device", $"e1000,netdev=n0,mac={mac}"]);
                if (withBiosBootOrder)
                {
                    args.AddRange(["-boot", "n"]);
                }

                break;
            default:
                var vars = Path.Combine(directory, name + ".OVMF_VARS.fd");
                File.Copy(OvmfVars, vars, overwrite: true);
                args.AddRange([
                    "-machine", "q35",
                    "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={OvmfCode}",
                    "-drive", $"if=pflash,format=raw,unit=1,file={vars}",
                    "-device", $"virtio-net-pci,netdev=n0,mac={mac},romfile=,bootindex=1",
                ]);
                if (firmware == VmFirmware.UefiHttp)
                {
                    args.AddRange([
                        "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
                        "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
                    ]);
                }

                break;
        }

        return args;
    }

    /// <summary>Starts the VM in the network's namespace on a new tap.</summary>
    public static QemuVm Start(E2ENetwork network, VmFirmware firmware, string name, string mac, string directory, int rtcOffsetSeconds)
    {
        ArgumentNullException.ThrowIfNull(network);
        var qemu = Requirements.RequireTool("qemu-system-x86_64", "qemu-system-x86");
        if (firmware != VmFirmware.Bios && !File.Exists(OvmfCode))
        {
            throw new InvalidOperationException($"{OvmfCode} is missing. `.ci/run` installs it; by hand: apt-get install -y ovmf");
        }

        var tap = network.AddTap();
        var args = Arguments(firmware, name, mac, tap, directory, rtcOffsetSeconds);
        var started = DateTime.UtcNow;
        var process = LabProcess.Start("ip", ["netns", "exec", network.Namespace, qemu, .. args]);
        return new QemuVm(name, firmware, mac, directory, process, started);
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Reads a file QEMU may still be writing; empty when it does not exist (yet).</summary>
    public static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        // `ip netns exec` execs QEMU, so the process this test started is QEMU itself (the PID in its -pidfile):
        // kill that one PID, never anything found by name.
        _process.Dispose();
    }
}
