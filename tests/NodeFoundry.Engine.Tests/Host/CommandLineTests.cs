using NodeFoundry.Host;

namespace NodeFoundry.Tests.Host;

/// <summary>The host's command line: a mistyped command or argument is one clear line and exit 2, never a stack trace.</summary>
[Collection("Console")]
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "validate", "fleet.yaml" }, "unexpected argument 'fleet.yaml'")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "impair", "--listen", "127.0.0.1" }, "--listen '127.0.0.1' is not ADDRESS:PORT")]
    [InlineData(new[] { "impair", "--listen", "127.0.0.1:0" }, "--target is required")]
    [InlineData(new[] { "impair", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:69", "--loss", "120" }, "--loss '120' must be a percentage")]
    public async Task Usage_mistakes_exit_2_with_the_reason(string[] args, string reason)
    {
        var (exit, text) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.StartsWith("nodefoundry: ", text, StringComparison.Ordinal);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeline_mac_that_is_not_one_exits_2()
    {
        var (exit, text) = await RunAsync(["timeline", "--config", Path.Combine(AppContext.BaseDirectory, "lab.yaml"), "--mac", "52:54:00"]);

        Assert.Equal(2, exit);
        Assert.Contains("--mac '52:54:00' is not a MAC address", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeline")]
    [InlineData("nodes")]
    public async Task The_shared_store_verbs_on_a_journal_fleet_exit_1_saying_where_its_timeline_is(string command)
    {
        // examples/lab.yaml keeps its leases in a journal: there is no shared store to read.
        var (exit, text) = await RunAsync([command, "--config", Path.Combine(AppContext.BaseDirectory, "lab.yaml")]);

        Assert.Equal(1, exit);
        Assert.Contains("keeps no shared boot events", text, StringComparison.Ordinal);
        Assert.Contains("storage: { kind: postgresql }", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Error)> RunAsync(string[] args)
    {
        TextWriter original = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        int exit;
        try
        {
            exit = await CommandLine.RunAsync(args);
        }
        finally
        {
            Console.SetError(original);
        }

        return (exit, error.ToString());
    }
}
