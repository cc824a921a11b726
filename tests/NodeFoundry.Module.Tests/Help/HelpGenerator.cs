namespace NodeFoundry.Tests.Help;

/// <summary>
/// docs/*.md → en-US: every cmdlet page into one MAML file named after the cmdlet assembly, every
/// about_*.md into about_*.help.txt. Other pages (such as fleet-file.md, the engine's reference) are not help. Run by <see cref="HelpFilesTests"/>; with NF_UPDATE_HELP=1 it writes
/// the files (build.ps1 -Task Docs does that).
/// </summary>
internal static class HelpGenerator
{
    public const string MamlFileName = "NodeFoundry.PowerShell.dll-Help.xml";

    public static IReadOnlyDictionary<string, string> Generate(string docsDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var commands = new List<CommandHelp>();
        foreach (string path in Directory.GetFiles(docsDirectory, "*.md").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            string markdown = File.ReadAllText(path);
            if (name.StartsWith("about_", StringComparison.Ordinal))
            {
                files[name + ".help.txt"] = AboutTopicWriter.Render(markdown);
            }
            else if (IsCommandPage(markdown))
            {
                commands.Add(PlatyPsMarkdown.Parse(markdown));
            }
        }

        files[MamlFileName] = MamlWriter.Render(commands);
        return files;
    }

    public static IEnumerable<CommandHelp> LoadCommandDocs(string docsDirectory) =>
        CommandPages(docsDirectory).Select(p => PlatyPsMarkdown.Parse(File.ReadAllText(p)));

    /// <summary>The PlatyPS cmdlet pages in docs/, in name order.</summary>
    public static IEnumerable<string> CommandPages(string docsDirectory) =>
        Directory.GetFiles(docsDirectory, "*.md")
            .Order(StringComparer.Ordinal)
            .Where(p => !Path.GetFileName(p).StartsWith("about_", StringComparison.Ordinal) && IsCommandPage(File.ReadAllText(p)));

    /// <summary>A PlatyPS cmdlet page starts with front matter naming the external help file.</summary>
    private static bool IsCommandPage(string markdown)
    {
        string text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
        {
            return false;
        }

        int end = text.IndexOf("\n---", 3, StringComparison.Ordinal);
        return end > 0 && text[..end].Contains("\nexternal help file:", StringComparison.Ordinal);
    }
}
