using System.Text;

namespace NodeFoundry.Tests.Help;

/// <summary>
/// Renders a PlatyPS about-topic markdown (<c># about_X</c>, <c>## SHORT DESCRIPTION</c>, ...) into the plain
/// text Get-Help shows (en-US/about_X.help.txt): section titles flush left, text indented four columns and
/// wrapped at 80, code indented eight columns verbatim.
/// </summary>
internal static class AboutTopicWriter
{
    private const int Width = 80;

    public static string Render(string markdown)
    {
        var output = new StringBuilder();
        var body = new List<PlatyPsMarkdown.Line>();

        void FlushBody()
        {
            foreach (HelpBlock block in PlatyPsMarkdown.Blocks(body))
            {
                switch (block.Kind)
                {
                    case HelpBlockKind.Code:
                        foreach (string line in block.Text.Split('\n'))
                        {
                            output.Append((line.Length == 0 ? "" : "        " + line).TrimEnd()).Append('\n');
                        }

                        break;
                    case HelpBlockKind.ListItem:
                        Wrap(output, block.Text, "    - ", "      ");
                        break;
                    default:
                        Wrap(output, block.Text, "    ", "    ");
                        break;
                }

                output.Append('\n');
            }

            body.Clear();
        }

        foreach (PlatyPsMarkdown.Line line in PlatyPsMarkdown.Tokenize(markdown))
        {
            switch (line.Level)
            {
                case 1:
                    FlushBody();
                    output.Append("TOPIC\n    ").Append(line.Heading).Append("\n\n");
                    break;
                case 2:
                    FlushBody();
                    output.Append(line.Heading!.ToUpperInvariant()).Append('\n');
                    break;
                case >= 3:
                    FlushBody();
                    output.Append("  ").Append(line.Heading).Append('\n');
                    break;
                default:
                    body.Add(line);
                    break;
            }
        }

        FlushBody();
        return output.ToString().TrimEnd('\n') + "\n";
    }

    private static void Wrap(StringBuilder output, string text, string firstIndent, string nextIndent)
    {
        var line = new StringBuilder(firstIndent);
        bool empty = true;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                output.Append(line).Append('\n');
                line.Clear().Append(nextIndent);
                empty = true;
            }

            line.Append(empty ? "" : " ").Append(word);
            empty = false;
        }

        output.Append(line).Append('\n');
    }
}
