using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// A real IPMI v2.0 LAN BMC — OpenIPMI's <c>ipmi_sim</c> — that powers one QEMU VM. ipmi_sim listens on loopback (a
/// free UDP port, so in-process clients reach it too) and calls a <c>chassis_control</c> script of ours for
/// <c>get power</c>, <c>set power 0|1</c>, <c>set reset 1</c>, <c>set boot none|pxe|default|…</c>. The script starts the VM
/// inside the test's namespace (QEMU <c>-daemonize</c> with a <c>-pidfile</c>, without <c>-no-reboot</c>, which
/// would turn a reset into an exit), stops it by that PID, resets it with
/// <c>system_reset</c> on a monitor pipe, and makes the boot device a next-boot-only override: <c>pxe</c> boots the
/// NIC's iPXE ROM (<c>-boot order=n</c>), anything else the (absent) disk only, with a NIC without option ROM
/// (<c>romfile=</c>; SeaBIOS falls back to a NIC ROM even with <c>-boot order=c,strict=on</c>), so a VM that was not
/// told to PXE-boot never reaches the boot server. Dispose stops ipmi_sim and the VM, each by its own PID.
/// </summary>
public sealed class SimulatedBmc : IBootingVm, IDisposable
{
    public const string UserName = "nfadmin";
    private readonly string _password = "nf-e2e-" + Guid.NewGuid().ToString("N")[..12];
    private readonly LabProcess _sim;

    public SimulatedBmc(E2ENetwork network, string name, string mac, string directory)
    {
        ArgumentNullException.ThrowIfNull(network);
        Requirements.RequireTool("ipmi_sim", "openipmi");
        var qemu = Requirements.RequireTool("qemu-system-x86_64", "qemu-system-x86");
        Name = name;
        MacAddress = mac;
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(directory, "bmc-" + name)).FullName;
        Port = FreeUdpPort();

        var tap = network.AddTap();
        // The NIC (-device e1000,…) is added by start-vm.sh: with its iPXE ROM for a PXE boot, without it otherwise.
        var all = QemuVm.Arguments(VmFirmware.Bios, name, mac, tap, Directory, rtcOffsetSeconds: 300, withBiosBootOrder: false, noReboot: false);
        var nic = all.Single(a => a.StartsWith("e1000,", StringComparison.Ordinal));
        var vmArgs = all.Where((a, i) => a != nic && !(a == "-device" && i + 1 < all.Count && all[i + 1] == nic))
            .Select(a => a.Replace(Path.Combine(Directory, name + ".pid"), PidFilePath, StringComparison.Ordinal))
            .Concat(["-chardev", $"pipe,id=bmcmon,path={Path.Combine(Directory, "monitor")}", "-mon", "chardev=bmcmon,mode=readline"]);
        Write("start-vm.sh", StartScript(network.Namespace, qemu, vmArgs, nic), executable: true);
        Write("chassis.sh", ChassisScript, executable: true);
        Write("lan.conf", LanConf());
        Write("bmc.emu", "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "state"));
        foreach (var fifo in new[] { "monitor.in", "monitor.out" })
        {
            var (exit, _, error) = LabProcess.Run("mkfifo", [Path.Combine(Directory, fifo)], TimeSpan.FromSeconds(10));
            if (exit != 0)
            {
                throw new InvalidOperationException($"mkfifo {fifo} failed: {error}");
            }
        }

        _sim = LabProcess.Start("ipmi_sim", ["-c", Path.Combine(Directory, "lan.conf"), "-f", Path.Combine(Directory, "bmc.emu"), "-s", Path.Combine(Directory, "state"), "-n"]);
    }

    public string Name { get; }

    public VmFirmware Firmware => VmFirmware.Bios;

    public string MacAddress { get; }

    public string Directory { get; }

    /// <summary>The BMC's UDP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The BMC user's password (random per test; never printed).</summary>
    public string Password => _password;

    /// <summary>When the BMC last powered the VM on (from the script's log), or when the test started waiting.</summary>
    public DateTime StartedUtc { get; private set; } = DateTime.UtcNow;

    public string PidFilePath => Path.Combine(Directory, "vm.pid");

    public bool HasExited => VmProcessId() is null;

    public string SerialLog => QemuVm.ReadShared(Path.Combine(Directory, Name + ".serial.log"));

    public string QemuOutput => QemuVm.ReadShared(Path.Combine(Directory, "qemu.err")) + "\nipmi_sim: " + _sim.StandardOutput + _sim.StandardError + "\nchassis_control log:\n" + ScriptLog;

    /// <summary>What the chassis_control script did, one line per call (UTC time, arguments, effect).</summary>
    public string ScriptLog => QemuVm.ReadShared(Path.Combine(Directory, "bmc.log"));

    /// <summary>Sets <see cref="StartedUtc"/> to now: the moment the test asked the BMC to power on or cycle.</summary>
    public void MarkPowerRequest() => StartedUtc = DateTime.UtcNow;

    /// <summary>Waits (bounded) until ipmi_sim answers on its port, i.e. until it has read its configuration.</summary>
    public void WaitUntilListening(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var tries = 0; tries < 200 && DateTime.UtcNow < deadline; tries++)
        {
            if (_sim.HasExited)
            {
                throw new InvalidOperationException($"ipmi_sim exited ({_sim.ExitCode}): {_sim.StandardOutput}{_sim.StandardError}");
            }

            // RMCP presence ping (ASF): ipmi_sim answers it once its LAN channel is up.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.ReceiveTimeout = 300;
            socket.SendTo([0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x00, 0x00, 0x00], new IPEndPoint(IPAddress.Loopback, Port));
            try
            {
                var buffer = new byte[256];
                if (socket.Receive(buffer) > 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"ipmi_sim did not answer on 127.0.0.1:{Port} within {timeout.TotalSeconds:0} s: {_sim.StandardOutput}{_sim.StandardError}");
    }

    /// <summary>The running VM's PID from its pidfile, if that process is still our QEMU (checked by its -name).</summary>
    public int? VmProcessId()
    {
        var text = QemuVm.ReadShared(PidFilePath).Trim();
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("nf-e2e-" + Name, StringComparison.Ordinal) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string StartScript(string ns, string qemu, IEnumerable<string> vmArgs, string nic) => $"""
        #!/bin/sh
        # Powers the VM on. $1 is the boot device the BMC was told: pxe boots the NIC's iPXE ROM; anything else boots
        # the disk only (there is none) with a NIC that has no option ROM, so the VM cannot reach the boot server.
        dir=$(dirname "$0")
        boot="order=c,strict=on"
        nic={Quote(nic + ",romfile=")}
        if [ "$1" = pxe ]; then boot="order=n"; nic={Quote(nic)}; fi
        exec ip netns exec {Quote(ns)} {Quote(qemu)} {string.Join(' ', vmArgs.Select(Quote))} -device "$nic" -boot "$boot" -daemonize </dev/null >/dev/null 2>>"$dir/qemu.err"

        """;

    /// <summary>
    /// ipmi_sim runs <c>chassis.sh DIR get power boot</c> and reads <c>power:1</c>, <c>boot:pxe</c> lines back; it runs
    /// <c>chassis.sh DIR set power 1</c> (or <c>reset</c>, <c>boot</c>) to act. Every wait is bounded.
    /// </summary>
    private const string ChassisScript = """
        #!/bin/sh
        dir=$1
        op=$2
        shift 2
        log() { echo "$(date -u +%H:%M:%S.%3N) $*" >> "$dir/bmc.log"; }
        vmpid() {
          p=$(cat "$dir/vm.pid" 2>/dev/null)
          [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "-name nf-e2e-" && echo "$p"
        }
        log "$op $*"
        case "$op" in
          get)
            for what in "$@"; do
              case "$what" in
                power) if [ -n "$(vmpid)" ]; then echo "power:1"; else echo "power:0"; fi ;;
                boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo none)" ;;
              esac
            done ;;
          set)
            what=$1
            value=$2
            case "$what" in
              boot) echo "$value" > "$dir/boot" ;;
              power)
                if [ "$value" = 1 ]; then
                  if [ -z "$(vmpid)" ]; then
                    device=$(cat "$dir/boot" 2>/dev/null || echo none)
                    echo none > "$dir/boot"   # a next-boot override: used once
                    "$dir/start-vm.sh" "$device" && log "powered on, booting $device, pid $(cat "$dir/vm.pid")" || log "power on failed"
                  fi
                else
                  p=$(vmpid)
                  if [ -n "$p" ]; then
                    kill "$p"
                    i=0
                    while [ -d "/proc/$p" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
                    [ -d "/proc/$p" ] && kill -9 "$p"
                    log "powered off pid $p"
                  fi
                fi ;;
              reset)
                if [ -n "$(vmpid)" ]; then
                  echo system_reset > "$dir/monitor.in" && log "system_reset"
                fi ;;
            esac ;;
        esac
        exit 0

        """;

    private string LanConf() => string.Create(CultureInfo.InvariantCulture, $"""
        # ipmi_sim for the e2e power test: one LAN channel on loopback, one admin user, chassis control by script.
        name "nfe2e-{Name}"
        set_working_mc 0x20
          startlan 1
            addr 127.0.0.1 {Port}
            priv_limit admin
            allowed_auths_callback none md2 md5 straight
            allowed_auths_user none md2 md5 straight
            allowed_auths_operator none md2 md5 straight
            allowed_auths_admin none md2 md5 straight
            guid a123456789abcdefa123456789abcdef
          endlan
          chassis_control "{Path.Combine(Directory, "chassis.sh")} {Directory}"
          user 2 true "{UserName}" "{_password}" admin 10 none md2 md5 straight

        """);

    private void Write(string file, string content, bool executable = false)
    {
        var path = Path.Combine(Directory, file);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        if (executable)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        _sim.Dispose();

        // The VM QEMU daemonized: its PID is in the pidfile; kill it only if that process is still our QEMU.
        if (VmProcessId() is { } pid)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit(5_000);
            for (var i = 0; i < 50 && VmProcessId() is not null; i++)
            {
                Thread.Sleep(100);
            }
        }
    }
}
