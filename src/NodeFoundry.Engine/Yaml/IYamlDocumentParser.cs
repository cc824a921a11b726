namespace NodeFoundry.Yaml;

/// <summary>The port a YAML library is adapted to (implemented in the NodeFoundry.Yaml adapter assembly).</summary>
public interface IYamlDocumentParser
{
    /// <summary>
    /// The root node of each document in <paramref name="text"/>, in order; none for an empty text. Aliases resolve to
    /// their anchored node; merge keys ('&lt;&lt;') stay ordinary keys; tags are not interpreted.
    /// </summary>
    /// <exception cref="YamlSyntaxException">The text does not parse, an alias names no anchor, or a mapping repeats a key.</exception>
    IReadOnlyList<YamlNode> Parse(string text);
}
