using System.Xml.Linq;

namespace NodeFoundry.Tests.Help;

public sealed class HelpRendererTests
{
    private const string Page = """
        ---
        external help file: NodeFoundry.PowerShell.dll-Help.xml
        schema: 2.0.0
        ---

        # Get-NfThing

        ## SYNOPSIS
        Gets things.

        ## SYNTAX

        ### ById (Default)
        ```
        Get-NfThing [-Id] <Int32> [<CommonParameters>]
        ```

        ### All
        ```
        Get-NfThing -All [<CommonParameters>]
        ```

        ## DESCRIPTION
        First line
        continues here.

        - a list item

        ## EXAMPLES

        ### Example 1: One thing
        ```powershell
        # not a heading
        Get-NfThing 1
        ```

        Gets thing 1.

        ## PARAMETERS

        ### -All
        Every thing.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: All
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Id
        The id & more <stuff>.

        ```yaml
        Type: Int32
        Parameter Sets: ById
        Aliases: Identity

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: False
        ```

        ### CommonParameters
        Common.

        ## INPUTS

        ### System.Int32

        ## OUTPUTS

        ### NodeFoundry.Thing
        A thing.

        ## NOTES

        ## RELATED LINKS

        [about_NodeFoundry](about_NodeFoundry.md)
        """;

    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    [Fact]
    public void Parser_reads_every_section()
    {
        CommandHelp help = PlatyPsMarkdown.Parse(Page);

        Assert.Equal("Get-NfThing", help.Name);
        Assert.Equal(("Get", "NfThing"), (help.Verb, help.Noun));
        Assert.Equal([new HelpSyntaxSet("ById", true), new HelpSyntaxSet("All", false)], help.SyntaxSets);
        Assert.Equal([new HelpBlock(HelpBlockKind.Paragraph, "First line continues here."), new HelpBlock(HelpBlockKind.ListItem, "a list item")], help.Description);
        HelpExample example = Assert.Single(help.Examples);
        Assert.Equal("# not a heading\nGet-NfThing 1", example.Code);
        Assert.Equal("Gets thing 1.", Assert.Single(example.Remarks).Text);
        Assert.Equal(["All", "Id"], help.Parameters.Select(p => p.Name));
        HelpParameter id = help.Parameters[1];
        Assert.Equal("Int32", id.Get("Type"));
        Assert.Equal(["Identity"], id.Aliases);
        Assert.True(id.Required);
        Assert.True(help.HasCommonParameters);
        Assert.Equal("NodeFoundry.Thing", Assert.Single(help.Outputs).TypeName);
        Assert.Equal(new HelpLink("about_NodeFoundry", "about_NodeFoundry.md"), Assert.Single(help.RelatedLinks));
    }

    [Fact]
    public void Maml_has_the_structure_Get_Help_reads()
    {
        XDocument maml = XDocument.Parse(MamlWriter.Render([PlatyPsMarkdown.Parse(Page)]));

        XElement command = Assert.Single(maml.Root!.Elements(Command + "command"));
        Assert.Equal("Get-NfThing", command.Element(Command + "details")!.Element(Command + "name")!.Value);
        Assert.Equal("Gets things.", command.Element(Command + "details")!.Element(Maml + "description")!.Value);

        List<XElement> syntax = [.. command.Element(Command + "syntax")!.Elements(Command + "syntaxItem")];
        Assert.Equal(2, syntax.Count);
        Assert.Equal(["Id"], syntax[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal(["All"], syntax[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));

        XElement id = command.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Id");
        Assert.Equal("true", id.Attribute("required")!.Value);
        Assert.Equal("0", id.Attribute("position")!.Value);
        Assert.Equal("True (ByValue)", id.Attribute("pipelineInput")!.Value);
        Assert.Equal("Identity", id.Attribute("aliases")!.Value);
        Assert.Equal("The id & more <stuff>.", id.Element(Maml + "description")!.Value);
        Assert.Equal("Int32", id.Element(Dev + "type")!.Element(Maml + "name")!.Value);

        XElement all = command.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "All");
        Assert.Null(all.Element(Command + "parameterValue"));
        Assert.Equal("named", all.Attribute("position")!.Value);

        XElement example = Assert.Single(command.Element(Command + "examples")!.Elements(Command + "example"));
        Assert.Equal("# not a heading\nGet-NfThing 1", example.Element(Dev + "code")!.Value);
        Assert.Equal("NodeFoundry.Thing", command.Element(Command + "returnValues")!.Element(Command + "returnValue")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
    }

    [Fact]
    public void About_topic_renders_as_indented_text()
    {
        const string About = """
            # about_Thing

            ## SHORT DESCRIPTION
            Short.

            ## LONG DESCRIPTION
            A paragraph that is long enough to be wrapped because it goes on and on well past the eighty column limit.

            - item

            ```powershell
            Get-NfThing
            ```
            """;

        string text = AboutTopicWriter.Render(About);

        Assert.Equal(
            "TOPIC\n    about_Thing\n\nSHORT DESCRIPTION\n    Short.\n\nLONG DESCRIPTION\n"
            + "    A paragraph that is long enough to be wrapped because it goes on and on well\n"
            + "    past the eighty column limit.\n\n    - item\n\n        Get-NfThing\n",
            text);
    }
}
