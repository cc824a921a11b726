using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace NodeFoundry.Tests.Help;

/// <summary>
/// Renders PlatyPS markdown into the MAML that Get-Help reads (en-US/&lt;assembly&gt;-Help.xml), following
/// the layout PlatyPS's New-ExternalHelp produces. PlatyPS cannot run in this repository's CI, so this
/// renderer, checked by tests, keeps en-US in step with docs/.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static string Render(IEnumerable<CommandHelp> commands)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), new XAttribute("xmlns", Msh.NamespaceName));
        foreach (CommandHelp help in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            root.Add(RenderCommand(help));
        }

        return Serialize(new XDocument(new XDeclaration("1.0", "utf-8", null), root));
    }

    private static XElement RenderCommand(CommandHelp help)
    {
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "command", Command.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "dev", Dev.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp.NamespaceName),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", help.SyntaxSets.Select(set =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", help.Name),
                    SyntaxOrder(help.Parameters.Where(p => InSet(p, set.Name)))
                        .Select(p => Parameter(p))))),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p))),
            new XElement(Command + "inputTypes", help.Inputs.Select(i =>
                new XElement(Command + "inputType", TypeElement(i.TypeName), Description(i.Description)))),
            new XElement(Command + "returnValues", help.Outputs.Select(o =>
                new XElement(Command + "returnValue", TypeElement(o.TypeName), Description(o.Description)))),
            new XElement(Maml + "alertSet",
                new XElement(Maml + "alert", Paras(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(e =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paras(e.Remarks))))),
            new XElement(Command + "relatedLinks", help.RelatedLinks.Select(l =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri.EndsWith(".md", StringComparison.Ordinal) ? "" : l.Uri)))));
    }

    private static bool InSet(HelpParameter parameter, string setName) =>
        parameter.ParameterSets.Contains("(All)") || parameter.ParameterSets.Contains(setName);

    /// <summary>Positional parameters first (by position), then mandatory, then the rest, as Get-Help shows syntax.</summary>
    private static IEnumerable<HelpParameter> SyntaxOrder(IEnumerable<HelpParameter> parameters) =>
        parameters
            .OrderBy(p => int.TryParse(p.Get("Position"), out int position) ? position : int.MaxValue)
            .ThenBy(p => p.Required ? 0 : 1);

    private static XElement Parameter(HelpParameter p)
    {
        string type = p.Get("Type");
        bool isSwitch = type == "SwitchParameter";
        string position = p.Get("Position");
        string aliases = p.Get("Aliases");
        return new XElement(Command + "parameter",
            new XAttribute("required", p.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", string.Equals(p.Get("Accept wildcard characters"), "True", StringComparison.OrdinalIgnoreCase) ? "true" : "false"),
            new XAttribute("pipelineInput", p.Get("Accept pipeline input") is { Length: > 0 } pipeline ? pipeline : "False"),
            new XAttribute("position", int.TryParse(position, out _) ? position : "named"),
            new XAttribute("aliases", aliases.Length > 0 ? aliases : "none"),
            new XElement(Maml + "name", p.Name),
            Description(p.Description),
            isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), type),
            TypeElement(type),
            new XElement(Dev + "defaultValue", p.Get("Default value") is { Length: > 0 } value ? value : (isSwitch ? "False" : "None")));
    }

    private static XElement TypeElement(string typeName) =>
        new(Dev + "type", new XElement(Maml + "name", typeName), new XElement(Maml + "uri"));

    private static XElement Description(IReadOnlyList<HelpBlock> blocks) => new(Maml + "description", Paras(blocks));

    private static IEnumerable<XElement> Paras(IReadOnlyList<HelpBlock> blocks) =>
        blocks.Select(b => new XElement(Maml + "para", b.Kind == HelpBlockKind.ListItem ? "- " + b.Text : b.Text));

    private static string Serialize(XDocument document)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
