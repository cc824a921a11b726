using NodeFoundry.Yaml;

namespace NodeFoundry.Tests.Yaml;

/// <summary>The neutral model the YamlDotNet adapter produces: what FleetYamlReader and BootLint rely on.</summary>
public sealed class YamlDocumentsTests
{
    [Fact]
    public void Marks_are_one_based_and_mappings_keep_document_order()
    {
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(YamlDocuments.Parse("b: 1\na:\n  - x\n  - 'y'\n")));

        Assert.Equal(new YamlMark(1, 1), root.Start);
        Assert.Equal(["b", "a"], root.Children.Select(c => ((YamlScalarNode)c.Key).Value));
        var list = Assert.IsType<YamlSequenceNode>(root.Children[1].Value);
        Assert.Equal(new YamlMark(3, 3), list.Start);
        var y = Assert.IsType<YamlScalarNode>(list.Children[1]);
        Assert.Equal(("y", false, new YamlMark(4, 5)), (y.Value, y.IsPlain, y.Start));
        Assert.True(((YamlScalarNode)list.Children[0]).IsPlain);
    }

    [Fact]
    public void An_alias_is_its_anchored_node()
    {
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(YamlDocuments.Parse("a: &d { x: 1 }\nb: *d\n")));

        Assert.True(root.TryGetValue("a", out YamlNode? a));
        Assert.True(root.TryGetValue("b", out YamlNode? b));
        Assert.Same(a, b);
        Assert.False(root.TryGetValue("c", out _));
    }

    [Fact]
    public void Keys_are_found_by_text_whether_quoted_or_not_but_a_tagged_key_is_another_key()
    {
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(YamlDocuments.Parse("\"a\": 1\n!!str b: 2\n")));

        Assert.True(root.TryGetValue("a", out _));
        Assert.False(root.TryGetValue("b", out _));
        Assert.Equal("tag:yaml.org,2002:str", ((YamlScalarNode)root.Children[1].Key).Tag);
        Assert.Equal(string.Empty, ((YamlScalarNode)root.Children[0].Key).Tag);
    }

    [Fact]
    public void A_sequence_that_holds_an_alias_of_itself_converts_without_recursing_forever()
    {
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(YamlDocuments.Parse("a: &x [ 1, *x ]\n")));

        var list = Assert.IsType<YamlSequenceNode>(root.Children[0].Value);
        Assert.Same(list, list.Children[1]);
    }

    [Fact]
    public void Every_document_is_returned_and_an_empty_text_has_none()
    {
        Assert.Empty(YamlDocuments.Parse(string.Empty));
        Assert.Equal(2, YamlDocuments.Parse("a: 1\n---\nb: 2\n").Count);
    }

    [Theory]
    [InlineData("a: [1\n", 2, 1)]
    [InlineData("a: 1\na: 2\n", 2, 1)]
    [InlineData("a: *nowhere\n", 1, 1)] // YamlDotNet marks the document for an unknown alias
    public void Errors_carry_the_parser_message_and_mark(string text, int line, int column)
    {
        YamlSyntaxException ex = Assert.Throws<YamlSyntaxException>(() => YamlDocuments.Parse(text));

        Assert.Equal(new YamlMark(line, column), ex.Start);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}
