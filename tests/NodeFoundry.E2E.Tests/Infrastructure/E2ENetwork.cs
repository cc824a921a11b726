using System.Globalization;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// One test-owned network namespace (<c>nfe2e…</c>) holding a bridge with the server address 192.0.2.1/24 and one
/// tap per VM. NodeFoundry and QEMU both run inside it, so no packet reaches the host's interfaces. Dispose ends
/// every process started through it (by its own PID), deletes the taps and the namespace.
/// </summary>
public sealed class E2ENetwork : IDisposable
{
    public const string ServerAddress = "192.0.2.1";
    private static int _sequence;
    private readonly List<LabProcess> _processes = [];
    private readonly List<string> _taps = [];

    public E2ENetwork()
    {
        Requirements.RequireRoot();
        RemoveOrphans();
        Namespace = string.Create(CultureInfo.InvariantCulture, $"nfe2e{Environment.ProcessId}{(char)('a' + (Interlocked.Increment(ref _sequence) % 26))}");
        try
        {
            Ip("netns", "add", Namespace);
            Ip("-n", Namespace, "link", "set", "lo", "up");
            Ip("-n", Namespace, "link", "add", Bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0");
            Ip("-n", Namespace, "addr", "add", ServerAddress + "/24", "dev", Bridge);
            Ip("-n", Namespace, "link", "set", Bridge, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }

    /// <summary>The server's interface: the bridge every VM's tap hangs off.</summary>
    public string Bridge => "nfbr0";

    /// <summary>Adds a tap on the bridge for one VM and returns its name.</summary>
    public string AddTap()
    {
        string tap;
        lock (_taps)
        {
            tap = string.Create(CultureInfo.InvariantCulture, $"tap{_taps.Count}");
            _taps.Add(tap);
        }

        Ip("-n", Namespace, "tuntap", "add", "dev", tap, "mode", "tap");
        Ip("-n", Namespace, "link", "set", tap, "master", Bridge);
        Ip("-n", Namespace, "link", "set", tap, "up");
        return tap;
    }

    /// <summary>Starts a long-running command in the namespace; Dispose ends it by PID.</summary>
    public LabProcess Start(string command, params string[] arguments)
    {
        var process = LabProcess.Start("ip", ["netns", "exec", Namespace, command, .. arguments]);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Runs a command in the namespace to completion (bounded).</summary>
    public (int ExitCode, string Output, string Error) Exec(TimeSpan timeout, string command, params string[] arguments) =>
        LabProcess.Run("ip", ["netns", "exec", Namespace, command, .. arguments], timeout);

    /// <summary>
    /// Deletes <c>nfe2e&lt;pid&gt;&lt;letter&gt;</c> namespaces whose test process is gone (killed before its Dispose ran).
    /// Only this project's prefix, and only when that PID no longer exists: a running test's namespace is never touched.
    /// </summary>
    private static void RemoveOrphans()
    {
        var (exit, output, _) = LabProcess.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            return;
        }

        foreach (var name in output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]))
        {
            var match = System.Text.RegularExpressions.Regex.Match(name, "^nfe2e([0-9]+)[a-z]$");
            if (match.Success && !System.IO.Directory.Exists("/proc/" + match.Groups[1].Value))
            {
                LabProcess.Run("ip", ["netns", "del", name], TimeSpan.FromSeconds(20));
            }
        }
    }

    private static void Ip(params string[] arguments)
    {
        var (exit, output, error) = LabProcess.Run("ip", arguments, TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exit}): {error}{output}");
        }
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Dispose();
            }

            _processes.Clear();
        }

        lock (_taps)
        {
            foreach (var tap in _taps)
            {
                LabProcess.Run("ip", ["-n", Namespace, "link", "del", tap], TimeSpan.FromSeconds(20));
            }

            _taps.Clear();
        }

        LabProcess.Run("ip", ["netns", "del", Namespace], TimeSpan.FromSeconds(20));
    }
}
