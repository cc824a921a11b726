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

        Assert.Equal(2, exit);
        string text = error.ToString();
        Assert.StartsWith("nodefoundry: ", text, StringComparison.Ordinal);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
