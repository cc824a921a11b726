using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Power;

/// <summary>
/// A real BMC for the tests: Debian's ipmi_sim (openipmi) on 127.0.0.1 and a free UDP port, configured from a temp
/// folder — lan.conf (one LAN channel, user 2 with Administrator), an emulator file that makes MC 20h the BMC, and a
/// chassis_control script. ipmi_sim asks that script for the power state and boot device and tells it about power,
/// reset, soft-shutdown and boot changes; the script keeps the state in files and appends every call to events.log,
/// so a test sees exactly what reached the "chassis". ipmitool reads the same BMC for cross-checks.
/// </summary>
public sealed class IpmiSimulator : IDisposable
{
    public const string UserName = "admin";

    // Distinctive, so the secrets test can search for it (and its hex) in everything the client emits.
    public const string Password = "Pw-7f3c9e-Ipmi!";

    private readonly DirectoryInfo _directory;
    private readonly LabProcess _process;

    public IpmiSimulator()
    {
        IpmiSim = Requirements.RequireTool("ipmi_sim", "openipmi");
        Ipmitool = Requirements.RequireTool("ipmitool", "ipmitool");
        _directory = Directory.CreateTempSubdirectory("nf-ipmisim-");
        Port = FreeUdpPort();
        var state = Directory.CreateDirectory(Path.Combine(_directory.FullName, "state"));
        var persist = Directory.CreateDirectory(Path.Combine(_directory.FullName, "persist"));
        var script = Path.Combine(_directory.FullName, "chassis_control");
        File.WriteAllText(script, ChassisControlScript(state.FullName));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(state.FullName, "power"), "0\n");
        File.WriteAllText(Path.Combine(state.FullName, "boot"), "none\n");
        File.WriteAllText(Path.Combine(_directory.FullName, "lan.conf"), LanConf(script));
        File.WriteAllText(Path.Combine(_directory.FullName, "bmc.emu"), Emulator);
        StateDirectory = state.FullName;
        _process = LabProcess.Start(IpmiSim, ["-c", Path.Combine(_directory.FullName, "lan.conf"), "-f", Path.Combine(_directory.FullName, "bmc.emu"), "-s", persist.FullName, "-n"]);
        try
        {
            WaitUntilAnswering();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string IpmiSim { get; }

    public string Ipmitool { get; }

    public int Port { get; }

    public string StateDirectory { get; }

    public BmcEndpoint Endpoint => new("127.0.0.1", BmcProtocol.Ipmi, Port);

    public static BmcCredential Credential => new(UserName, Password);

    /// <summary>Every chassis_control call so far, one per line ("get power", "set power 1", "set boot pxe", …).</summary>
    public string[] Events() => File.Exists(EventsPath) ? File.ReadAllLines(EventsPath) : [];

    public string BootState() => File.ReadAllText(Path.Combine(StateDirectory, "boot")).Trim();

    public void ClearEvents() => File.WriteAllText(EventsPath, string.Empty);

    private string EventsPath => Path.Combine(StateDirectory, "events.log");

    /// <summary>ipmitool -I lanplus -C 3 against this BMC (password through the environment, not argv).</summary>
    public string RunIpmitool(params string[] arguments)
    {
        var all = new List<string> { "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-E" };
        all.AddRange(arguments);
        using var process = LabProcess.Start(Ipmitool, all, new Dictionary<string, string> { ["IPMI_PASSWORD"] = Password });
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"ipmitool {string.Join(' ', arguments)} did not finish in 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ipmitool {string.Join(' ', arguments)} exited {process.ExitCode}: {process.StandardOutput} {process.StandardError}");
        }

        return process.StandardOutput;
    }

    /// <summary>ipmitool's exit code and output for a command expected to fail (e.g. with -C 17).</summary>
    public (int ExitCode, string Output) TryIpmitool(params string[] arguments)
    {
        var all = new List<string> { "-I", "lanplus", "-H", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-E" };
        all.AddRange(arguments);
        using var process = LabProcess.Start(Ipmitool, all, new Dictionary<string, string> { ["IPMI_PASSWORD"] = Password });
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"ipmitool {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, process.StandardOutput + process.StandardError);
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a file still open by the dying simulator; the temp folder is reaped later
        }
    }

    private void WaitUntilAnswering()
    {
        // Bounded: up to 100 probes of 100 ms (10 s) with a session-less Get Channel Authentication Capabilities.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, Port));
        socket.ReceiveTimeout = 100;
        var probe = Ipmi15SessionWrapper.Encode(new IpmiRequest(IpmiNetFn.Application, IpmiCommands.GetChannelAuthenticationCapabilities, 0, ChannelAuthenticationCapabilities.RequestData(IpmiPrivilegeLevel.Administrator)).Encode());
        var buffer = new byte[512];
        for (var i = 0; i < 100; i++)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                socket.Send(probe);
                if (socket.Receive(buffer) > 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                Thread.Sleep(100); // not bound yet (ICMP port unreachable comes back at once)
            }
        }

        throw new InvalidOperationException($"ipmi_sim did not answer on 127.0.0.1:{Port} within 10 s. stdout: {_process.StandardOutput} stderr: {_process.StandardError}");
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private string LanConf(string script) => $"""
        name "nodefoundry-lab"
        set_working_mc 0x20
          startlan 1
            addr 127.0.0.1 {Port.ToString(CultureInfo.InvariantCulture)}
            priv_limit admin
            allowed_auths_callback md5
            allowed_auths_user md5
            allowed_auths_operator md5
            allowed_auths_admin md5
            guid a123456789abcdefa123456789abcdef
          endlan
          chassis_control "{script} 0x20"
          user 2 true "{UserName}" "{Password}" admin 10 md5
        """;

    private const string Emulator = """
        mc_setbmc 0x20
        mc_add 0x20 0 no-device-sdrs 0x23 0x09 0x08 0x9f 0x1291 0xf02 persist_sdr
        mc_enable 0x20
        """;

    // ipmi_sim runs: <script> <device> get power|boot …  → prints "power:1" / "boot:pxe" per parameter
    //                <script> <device> set power 0|1 | reset 1 | shutdown 1 | boot pxe|default|… → prints nothing
    private static string ChassisControlScript(string state) => $$"""
        #!/bin/sh
        # chassis_control for the NodeFoundry IPMI lab tests: state in files, every call logged.
        state="{{state}}"
        device="$1"; op="$2"; shift 2
        echo "$op $*" >> "$state/events.log"
        case "$op" in
          get)
            for parm in "$@"; do
              case "$parm" in
                power) echo "power:$(cat "$state/power")" ;;
                boot)  echo "boot:$(cat "$state/boot")" ;;
                *) echo "unknown parameter $parm"; exit 1 ;;
              esac
            done ;;
          set)
            while [ $# -ge 2 ]; do
              case "$1" in
                power) echo "$2" > "$state/power" ;;
                boot) echo "$2" > "$state/boot" ;;
                shutdown) [ "$2" = 1 ] && echo 0 > "$state/power" ;;
                reset|identify) ;;
                *) echo "unknown parameter $1"; exit 1 ;;
              esac
              shift 2
            done ;;
          *) exit 1 ;;
        esac
        exit 0
        """;
}
