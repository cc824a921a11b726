using System.Reflection;

namespace NodeFoundry.Tests.Boot;

/// <summary>
/// Whole-text comparison against Boot/golden/NAME (copied to the output). With NF_UPDATE_GOLDEN=1 the source file
/// is rewritten instead and the test passes; review the diff and commit it.
/// </summary>
internal static class GoldenFiles
{
    public const string UpdateVariable = "NF_UPDATE_GOLDEN";

    private static string SourceDirectory { get; } =
        typeof(GoldenFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GoldenSourceDirectory").Value!;

    public static void AssertMatches(string name, string actual)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            string source = Path.Combine(SourceDirectory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "Boot", "golden", name);
        Assert.True(File.Exists(path), $"Golden file {name} is missing: run the tests once with {UpdateVariable}=1, review and commit Boot/golden/{name}.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(expected == actual, $"Boot/golden/{name} differs from the rendered text (rerun with {UpdateVariable}=1 to accept it).{Environment.NewLine}--- expected{Environment.NewLine}{expected}{Environment.NewLine}--- actual{Environment.NewLine}{actual}");
    }
}
