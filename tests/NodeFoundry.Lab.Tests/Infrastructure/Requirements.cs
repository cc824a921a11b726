namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// Lab tests need root (network namespaces) and Debian's peers. `.ci/run` installs and provides both;
/// elsewhere a missing piece fails the test with the exact fix rather than passing silently.
/// </summary>
public static class Requirements
{
    public static void RequireRoot()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException("Lab tests create network namespaces and need root on Linux. Run them through `bash .ci/run` (as root).");
        }
    }

    public static string RequireTool(string name, string package)
    {
        foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed. `.ci/run` installs it; by hand: apt-get install -y {package}");
    }
}
