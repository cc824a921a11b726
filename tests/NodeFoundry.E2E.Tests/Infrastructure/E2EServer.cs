using System.Globalization;
using System.Text;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>The real service host (`nodefoundry serve`) inside the e2e namespace, and waits on its boot timeline.</summary>
public sealed class E2EServer
{
    private E2EServer(LabProcess process)
    {
        Process = process;
    }

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "nodefoundry.dll");

    public LabProcess Process { get; }

    public static E2EServer Start(E2ENetwork network, E2EFleet fleet)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(fleet);
        var process = network.Start("dotnet", HostDll, "serve", "--config", fleet.Path);
        if (!process.WaitForOutput("nodefoundry: serving", TimeSpan.FromSeconds(90)))
        {
            throw new InvalidOperationException($"nodefoundry serve did not start.\nstdout: {process.StandardOutput}\nstderr: {process.StandardError}");
        }

        return new E2EServer(process);
    }

    /// <summary>
    /// Waits (bounded by <paramref name="timeout"/> from the VM's start, polling twice a second) until the server's
    /// timeline shows <see cref="BootStage.Installed"/> for the VM's MAC. Fails with the server's lines for that MAC, the
    /// serial console's tail and QEMU's own output when the VM exits first or the time runs out.
    /// </summary>
    public IReadOnlyDictionary<BootStage, DateTime> WaitForInstalled(IBootingVm vm, TimeSpan timeout, DateTime? sinceUtc = null)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var since = sinceUtc ?? vm.StartedUtc;
        var deadline = vm.StartedUtc + timeout;
        var exitedAt = (DateTime?)null;
        for (var polls = 0; polls < 100_000 && DateTime.UtcNow < deadline; polls++)
        {
            var stages = ServerTimeline.Stages(Process.StandardOutput, vm.MacAddress, since);
            if (stages.ContainsKey(BootStage.Installed))
            {
                return stages;
            }

            // A VM that powered off has nothing more to say; give the server's log a few seconds to catch up.
            if (vm.HasExited)
            {
                exitedAt ??= DateTime.UtcNow;
                if (DateTime.UtcNow - exitedAt > TimeSpan.FromSeconds(5))
                {
                    break;
                }
            }

            Thread.Sleep(500);
        }

        throw new TimeoutException(Explain(vm, since, $"{vm.Name} ({vm.Firmware}, {vm.MacAddress}) did not reach Installed within {timeout.TotalSeconds:0} s of its start{(vm.HasExited ? " (QEMU exited)" : string.Empty)}"));
    }

    /// <summary>
    /// The server's log lines about one VM: those naming its MAC, and those from the addresses it was leased
    /// (TFTP and static HTTP lines carry only the client address).
    /// </summary>
    public IReadOnlyList<string> LinesFor(IBootingVm vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var compact = vm.MacAddress.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var lines = Process.StandardOutput.Split('\n').Select(l => l.TrimEnd()).ToList();
        var mine = lines.Where(l => l.Contains(compact, StringComparison.OrdinalIgnoreCase) || l.Contains(vm.MacAddress, StringComparison.OrdinalIgnoreCase)).ToList();
        var addresses = mine
            .Where(l => l.Contains(" dhcp ", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.StartsWith("192.0.2.", StringComparison.Ordinal) && w != E2ENetwork.ServerAddress)
            .ToHashSet(StringComparer.Ordinal);
        return lines.Where(l => mine.Contains(l) || l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(w => addresses.Contains(w) || addresses.Any(a => w.StartsWith(a + ":", StringComparison.Ordinal)))).ToList();
    }

    /// <summary>What a failure message needs: the server's lines for the MAC, the serial tail, QEMU's output.</summary>
    public string Explain(IBootingVm vm, DateTime since, string headline)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var text = new StringBuilder(headline).AppendLine(".");
        text.AppendLine(CultureInfo.InvariantCulture, $"timeline since {since:HH:mm:ss.fff}: {string.Join(", ", ServerTimeline.Stages(Process.StandardOutput, vm.MacAddress, since).Select(kv => $"{kv.Key} +{(kv.Value - vm.StartedUtc).TotalSeconds:0.0}s"))}");
        text.AppendLine("server lines for this VM:");
        foreach (var line in LinesFor(vm).TakeLast(60))
        {
            text.AppendLine("  " + line.TrimEnd());
        }

        text.AppendLine("server stderr: " + Process.StandardError);
        var serial = vm.SerialLog;
        text.AppendLine("serial console (tail):");
        text.AppendLine(serial.Length > 4000 ? serial[^4000..] : serial);
        text.AppendLine("qemu: " + vm.QemuOutput);
        return text.ToString();
    }
}
