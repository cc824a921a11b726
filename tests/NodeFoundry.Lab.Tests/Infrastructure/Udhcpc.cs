using System.Globalization;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// busybox udhcpc, the light real client: it can pose as firmware (-V vendor class, -x 0x5d arch,
/// -x 0x4d user class) and reports what it got through its event script's environment.
/// </summary>
public static class Udhcpc
{
    /// <summary>Gets one lease on <paramref name="iface"/> and returns the "bound" event's variables (ip, siaddr, bootfile, opt60…).</summary>
    public static IReadOnlyDictionary<string, string> Lease(NetworkLab lab, string iface, ushort? arch = null, bool ipxe = false, string? vendorClass = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Requirements.RequireTool("busybox", "busybox");
        var script = ScriptPath();
        var args = new List<string> { "udhcpc", "-f", "-q", "-n", "-t", "4", "-T", "1", "-A", "1", "-i", iface, "-s", script, "-O", "60", "-O", "43", "-O", "175" };
        if (arch is { } a)
        {
            vendorClass ??= string.Create(CultureInfo.InvariantCulture, $"{(a is 15 or 16 or 19 ? "HTTPClient" : "PXEClient")}:Arch:{a:D5}:UNDI:003000");
            args.AddRange(["-x", string.Create(CultureInfo.InvariantCulture, $"0x5d:{a:x4}")]);
        }

        if (vendorClass is not null)
        {
            args.AddRange(["-V", vendorClass]);
        }

        if (ipxe)
        {
            args.AddRange(["-x", "0x4d:69505845"]); // "iPXE", raw bytes, as iPXE sends it
        }

        var (exit, output, error) = lab.Exec(lab.ClientNamespace, TimeSpan.FromSeconds(30), "busybox", [.. args]);
        var bound = output.Split('\n').LastOrDefault(l => l.StartsWith("NFEVENT bound", StringComparison.Ordinal));
        if (exit != 0 || bound is null)
        {
            throw new InvalidOperationException($"udhcpc got no lease on {iface} (exit {exit}).\nstdout: {output}\nstderr: {error}");
        }

        return bound["NFEVENT bound".Length..]
            .Split('\u001f', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1]);
    }

    private static string ScriptPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "nf-udhcpc-event.sh");
        const string Script = "#!/bin/sh\n# udhcpc event script: print the variables, configure nothing.\nprintf 'NFEVENT %s' \"$1\"\nfor v in ip siaddr serverid bootfile boot_file sname vendor opt43 opt175 lease subnet router dns domain hostname; do eval \"printf '\\037%s=%s' $v \\\"\\$$v\\\"\"; done\necho\n";
        if (!File.Exists(path) || File.ReadAllText(path) != Script)
        {
            File.WriteAllText(path, Script);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
