using NodeFoundry.Yaml;
using YamlDotNet.Core;
using Rep = YamlDotNet.RepresentationModel;

namespace NodeFoundry.Yaml.Adapter;

/// <summary>
/// <see cref="IYamlDocumentParser"/> over YamlDotNet's representation model: loads a <see cref="Rep.YamlStream"/>
/// and copies it node for node into the engine's neutral model, keeping every start mark, scalar text, style and tag,
/// the document order of mappings and sequences, and shared (aliased) nodes.
/// </summary>
public sealed class YamlDotNetDocumentParser : IYamlDocumentParser
{
    public IReadOnlyList<YamlNode> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new Rep.YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // Duplicate keys and unknown aliases are YamlExceptions too; the message is YamlDotNet's, unchanged.
            throw new YamlSyntaxException(ex.Message, YamlMark.From(ex.Start.Line, ex.Start.Column), ex);
        }

        var converter = new Converter();
        return [.. stream.Documents.Select(d => converter.Convert(d.RootNode))];
    }

    private sealed class Converter
    {
        // An alias is the same Rep node object as its anchor: convert it once, so it stays one node here too.
        private readonly Dictionary<Rep.YamlNode, YamlNode> _converted = new(ReferenceEqualityComparer.Instance);

        public YamlNode Convert(Rep.YamlNode node)
        {
            if (_converted.TryGetValue(node, out YamlNode? done))
            {
                return done;
            }

            YamlMark start = YamlMark.From(node.Start.Line, node.Start.Column);
            switch (node)
            {
                case Rep.YamlScalarNode scalar:
                    {
                        var result = new YamlScalarNode(
                            scalar.Value ?? string.Empty, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, start, scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value);
                        _converted[node] = result;
                        return result;
                    }

                case Rep.YamlSequenceNode sequence:
                    {
                        // Registered before its children are converted, for a sequence that contains an alias of itself.
                        var children = new List<YamlNode>(sequence.Children.Count);
                        var result = new YamlSequenceNode(children, start);
                        _converted[node] = result;
                        children.AddRange(sequence.Children.Select(Convert));
                        return result;
                    }

                case Rep.YamlMappingNode mapping:
                    {
                        var children = new List<KeyValuePair<YamlNode, YamlNode>>(mapping.Children.Count);
                        var result = new YamlMappingNode(children, start);
                        _converted[node] = result;
                        foreach ((Rep.YamlNode key, Rep.YamlNode value) in mapping.Children)
                        {
                            children.Add(new(Convert(key), Convert(value)));
                        }

                        return result;
                    }

                default:
                    throw new YamlSyntaxException($"Unsupported YAML node {node.NodeType}.", start);
            }
        }
    }
}
