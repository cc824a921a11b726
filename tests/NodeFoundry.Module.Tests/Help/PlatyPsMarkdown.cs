using System.Text;

namespace NodeFoundry.Tests.Help;

/// <summary>A block of help text: a paragraph (reflowed), a list item, or verbatim code.</summary>
internal sealed record HelpBlock(HelpBlockKind Kind, string Text);

internal enum HelpBlockKind
{
    Paragraph,
    ListItem,
    Code,
}

internal sealed record HelpExample(string Title, string Code, IReadOnlyList<HelpBlock> Remarks);

internal sealed record HelpParameter(string Name, IReadOnlyList<HelpBlock> Description, IReadOnlyDictionary<string, string> Metadata)
{
    public string Get(string key) => Metadata.TryGetValue(key, out string? value) ? value : "";

    /// <summary>Parameter sets as PlatyPS writes them; "(All)" is every set.</summary>
    public IReadOnlyList<string> ParameterSets =>
        [.. Get("Parameter Sets").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Aliases =>
        [.. Get("Aliases").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    public bool Required => string.Equals(Get("Required"), "True", StringComparison.OrdinalIgnoreCase);
}

internal sealed record HelpTypeEntry(string TypeName, IReadOnlyList<HelpBlock> Description);

internal sealed record HelpLink(string Text, string Uri);

internal sealed record HelpSyntaxSet(string Name, bool IsDefault);

/// <summary>One cmdlet's help as PlatyPS markdown (schema 2.0.0) holds it.</summary>
internal sealed class CommandHelp
{
    public required string Name { get; init; }

    public IReadOnlyList<HelpBlock> Synopsis { get; init; } = [];

    public IReadOnlyList<HelpSyntaxSet> SyntaxSets { get; init; } = [];

    public IReadOnlyList<HelpBlock> Description { get; init; } = [];

    public IReadOnlyList<HelpExample> Examples { get; init; } = [];

    public IReadOnlyList<HelpParameter> Parameters { get; init; } = [];

    public bool HasCommonParameters { get; init; }

    public IReadOnlyList<HelpTypeEntry> Inputs { get; init; } = [];

    public IReadOnlyList<HelpTypeEntry> Outputs { get; init; } = [];

    public IReadOnlyList<HelpBlock> Notes { get; init; } = [];

    public IReadOnlyList<HelpLink> RelatedLinks { get; init; } = [];

    public string Verb => Name.Split('-', 2)[0];

    public string Noun => Name.Split('-', 2)[1];
}

/// <summary>
/// Reads PlatyPS cmdlet markdown: front matter, <c># Name</c>, then <c>## SYNOPSIS</c>, <c>## SYNTAX</c>,
/// <c>## DESCRIPTION</c>, <c>## EXAMPLES</c>, <c>## PARAMETERS</c> (each <c>### -Name</c> with a yaml block),
/// <c>## INPUTS</c>, <c>## OUTPUTS</c>, <c>## NOTES</c>, <c>## RELATED LINKS</c>.
/// Headings inside code fences are code, not headings.
/// </summary>
internal static class PlatyPsMarkdown
{
    public static CommandHelp Parse(string markdown)
    {
        List<Line> lines = Tokenize(markdown);
        string name = lines.First(l => l.Level == 1).Heading!;
        Dictionary<string, List<Line>> sections = SplitSections(lines, level: 2);

        List<Line> Section(string title) => sections.TryGetValue(title, out List<Line>? body) ? body : [];

        var parameters = new List<HelpParameter>();
        bool hasCommon = false;
        foreach ((string heading, List<Line> body) in SplitSubsections(Section("PARAMETERS")))
        {
            if (heading == "CommonParameters")
            {
                hasCommon = true;
                continue;
            }

            int yaml = body.FindIndex(l => l.IsFenceOpen && l.FenceInfo == "yaml");
            List<Line> description = yaml < 0 ? body : body[..yaml];
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (yaml >= 0)
            {
                foreach (Line entry in body.Skip(yaml + 1).TakeWhile(l => !l.IsFenceClose))
                {
                    int colon = entry.Text.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        metadata[entry.Text[..colon].Trim()] = entry.Text[(colon + 1)..].Trim();
                    }
                }
            }

            parameters.Add(new HelpParameter(heading.TrimStart('-'), Blocks(description), metadata));
        }

        return new CommandHelp
        {
            Name = name,
            Synopsis = Blocks(Section("SYNOPSIS")),
            SyntaxSets = [.. SplitSubsections(Section("SYNTAX")).Select(s => s.Heading.EndsWith(" (Default)", StringComparison.Ordinal)
                ? new HelpSyntaxSet(s.Heading[..^" (Default)".Length], true)
                : new HelpSyntaxSet(s.Heading, false))],
            Description = Blocks(Section("DESCRIPTION")),
            Examples = [.. SplitSubsections(Section("EXAMPLES")).Select(s =>
            {
                List<HelpBlock> blocks = Blocks(s.Body);
                HelpBlock? code = blocks.FirstOrDefault(b => b.Kind == HelpBlockKind.Code);
                return new HelpExample(s.Heading, code?.Text ?? "", [.. blocks.Where(b => !ReferenceEquals(b, code))]);
            })],
            Parameters = parameters,
            HasCommonParameters = hasCommon,
            Inputs = TypeEntries(Section("INPUTS")),
            Outputs = TypeEntries(Section("OUTPUTS")),
            Notes = Blocks(Section("NOTES")),
            RelatedLinks = [.. Section("RELATED LINKS")
                .Select(l => System.Text.RegularExpressions.Regex.Match(l.Text, @"^\[([^\]]+)\]\(([^)]*)\)"))
                .Where(m => m.Success)
                .Select(m => new HelpLink(m.Groups[1].Value, m.Groups[2].Value))],
        };
    }

    /// <summary>Splits text into paragraphs, list items and code blocks.</summary>
    internal static List<HelpBlock> Blocks(IEnumerable<Line> lines)
    {
        var blocks = new List<HelpBlock>();
        var text = new StringBuilder();
        HelpBlockKind kind = HelpBlockKind.Paragraph;
        bool inCode = false;

        void Flush()
        {
            if (text.Length > 0)
            {
                blocks.Add(new HelpBlock(kind, text.ToString()));
                text.Clear();
            }

            kind = HelpBlockKind.Paragraph;
        }

        foreach (Line line in lines)
        {
            if (inCode)
            {
                if (line.IsFenceClose)
                {
                    inCode = false;
                    blocks.Add(new HelpBlock(HelpBlockKind.Code, text.ToString()));
                    text.Clear();
                    kind = HelpBlockKind.Paragraph;
                }
                else
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(line.Text);
                }

                continue;
            }

            if (line.IsFenceOpen)
            {
                Flush();
                inCode = true;
                kind = HelpBlockKind.Code;
                continue;
            }

            string trimmed = line.Text.Trim();
            if (trimmed.Length == 0)
            {
                Flush();
            }
            else if (trimmed.StartsWith("- ", StringComparison.Ordinal))
            {
                Flush();
                kind = HelpBlockKind.ListItem;
                text.Append(trimmed[2..]);
            }
            else
            {
                text.Append(text.Length > 0 ? " " : "").Append(trimmed);
            }
        }

        Flush();
        return blocks;
    }

    internal static List<Line> Tokenize(string markdown)
    {
        string[] raw = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int start = 0;
        if (raw.Length > 0 && raw[0].Trim() == "---")
        {
            start = Array.FindIndex(raw, 1, l => l.Trim() == "---") + 1;
        }

        var lines = new List<Line>();
        bool inFence = false;
        foreach (string text in raw.Skip(start))
        {
            if (text.StartsWith("```", StringComparison.Ordinal))
            {
                lines.Add(inFence ? new Line(text, 0, null, false, true, null) : new Line(text, 0, null, true, false, text[3..].Trim()));
                inFence = !inFence;
                continue;
            }

            int level = 0;
            if (!inFence)
            {
                while (level < text.Length && text[level] == '#')
                {
                    level++;
                }

                if (level == 0 || level >= text.Length || text[level] != ' ')
                {
                    level = 0;
                }
            }

            lines.Add(new Line(text, level, level > 0 ? text[(level + 1)..].Trim() : null, false, false, null));
        }

        return lines;
    }

    internal static Dictionary<string, List<Line>> SplitSections(List<Line> lines, int level)
    {
        var sections = new Dictionary<string, List<Line>>(StringComparer.Ordinal);
        List<Line>? current = null;
        foreach (Line line in lines)
        {
            if (line.Level > 0 && line.Level <= level)
            {
                current = line.Level == level ? (sections[line.Heading!] = []) : null;
                continue;
            }

            current?.Add(line);
        }

        return sections;
    }

    internal static List<(string Heading, List<Line> Body)> SplitSubsections(List<Line> lines)
    {
        var result = new List<(string, List<Line>)>();
        foreach (Line line in lines)
        {
            if (line.Level == 3)
            {
                result.Add((line.Heading!, []));
            }
            else if (result.Count > 0)
            {
                result[^1].Item2.Add(line);
            }
        }

        return result;
    }

    private static List<HelpTypeEntry> TypeEntries(List<Line> section) =>
        [.. SplitSubsections(section).Select(s => new HelpTypeEntry(s.Heading, Blocks(s.Body)))];

    /// <summary>One markdown line; <see cref="Level"/> is the heading level (0 for text and code).</summary>
    internal sealed record Line(string Text, int Level, string? Heading, bool IsFenceOpen, bool IsFenceClose, string? FenceInfo);
}
