using NodeFoundry.Host;

namespace NodeFoundry.Tests.Host;

/// <summary>
/// examples/systemd/nodefoundry.service stays in step with the host: every command and option its Exec lines use is
/// one the host documents, and it grants the capabilities the engines' own bind errors ask for.
/// </summary>
public sealed class SystemdUnitTests
{
    private static readonly string[] Unit = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "nodefoundry.service"));

    [Fact]
    public void Every_exec_line_runs_a_documented_command_with_documented_options()
    {
        var execs = Unit.Where(l => l.StartsWith("ExecStart", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, execs.Count); // the validation first, then serve
        foreach (var line in execs)
        {
            var words = line[(line.IndexOf('=') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var command = words[Array.FindIndex(words, w => w.EndsWith("nodefoundry.dll", StringComparison.Ordinal)) + 1];
            Assert.Contains($"nodefoundry {command} ", CommandLine.Usage, StringComparison.Ordinal);
            foreach (var option in words.Where(w => w.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.Contains(option, CommandLine.Usage, StringComparison.Ordinal);
            }
        }

        Assert.Contains(execs, l => l.Contains(" serve --config ", StringComparison.Ordinal));
    }

    [Fact]
    public void It_grants_what_binding_ports_and_interfaces_needs()
    {
        var ambient = Assert.Single(Unit, l => l.StartsWith("AmbientCapabilities=", StringComparison.Ordinal));
        Assert.Contains("CAP_NET_BIND_SERVICE", ambient, StringComparison.Ordinal); // ports 67, 69, 80
        Assert.Contains("CAP_NET_RAW", ambient, StringComparison.Ordinal);          // SO_BINDTODEVICE on server.interface
        Assert.Contains("CAP_SYS_NICE", ambient, StringComparison.Ordinal);         // tftp.loopNice
    }
}
