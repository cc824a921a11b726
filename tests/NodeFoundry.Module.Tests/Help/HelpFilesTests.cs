using NodeFoundry.Tests.Surface;

namespace NodeFoundry.Tests.Help;

public sealed class HelpFilesTests
{
    [Fact]
    public void EnUs_is_generated_from_docs()
    {
        IReadOnlyDictionary<string, string> expected = HelpGenerator.Generate(ModuleLayout.DocsDirectory);
        if (Environment.GetEnvironmentVariable("NF_UPDATE_HELP") == "1")
        {
            Directory.CreateDirectory(ModuleLayout.HelpDirectory);
            foreach (string stale in Directory.GetFiles(ModuleLayout.HelpDirectory).Where(f => !expected.ContainsKey(Path.GetFileName(f))))
            {
                File.Delete(stale);
            }

            foreach ((string name, string content) in expected)
            {
                File.WriteAllText(Path.Combine(ModuleLayout.HelpDirectory, name), content);
            }
        }

        const string howToFix = "en-US is out of date with docs/: run ./build.ps1 -Task Docs (or NF_UPDATE_HELP=1 dotnet test tests/NodeFoundry.Module.Tests) and commit en-US.";
        string[] onDisk = Directory.Exists(ModuleLayout.HelpDirectory)
            ? [.. Directory.GetFiles(ModuleLayout.HelpDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
            : [];
        Assert.True(expected.Keys.SequenceEqual(onDisk), $"{howToFix} Expected files: {string.Join(", ", expected.Keys)}; found: {string.Join(", ", onDisk)}.");
        foreach ((string name, string content) in expected)
        {
            string actual = File.ReadAllText(Path.Combine(ModuleLayout.HelpDirectory, name)).Replace("\r\n", "\n", StringComparison.Ordinal);
            Assert.True(content == actual, $"{howToFix} ({name} differs)");
        }
    }

    [Fact]
    public void Every_cmdlet_page_has_synopsis_description_two_examples_and_outputs()
    {
        foreach (CommandHelp help in HelpGenerator.LoadCommandDocs(ModuleLayout.DocsDirectory))
        {
            Assert.True(help.Synopsis.Count > 0, $"{help.Name}: empty SYNOPSIS");
            Assert.True(help.Description.Count > 0, $"{help.Name}: empty DESCRIPTION");
            Assert.True(help.Examples.Count >= 2, $"{help.Name}: needs at least two examples, has {help.Examples.Count}");
            Assert.All(help.Examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Code), $"{help.Name}: '{e.Title}' has no code"));
            Assert.True(help.HasCommonParameters, $"{help.Name}: missing ### CommonParameters");
            Assert.NotEmpty(help.Outputs);
        }
    }

    [Fact]
    public void About_topic_exists()
    {
        Assert.True(File.Exists(Path.Combine(ModuleLayout.DocsDirectory, "about_NodeFoundry.md")));
    }
}
