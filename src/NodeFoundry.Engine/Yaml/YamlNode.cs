namespace NodeFoundry.Yaml;

/// <summary>
/// A node of a parsed YAML document: the engine's own, parser-neutral representation. The parser itself
/// (YamlDotNet) lives in the NodeFoundry.Yaml adapter assembly, loaded in a private AssemblyLoadContext, so the
/// engine never references a third-party YAML library (see docs/module-layout.md).
/// </summary>
/// <remarks>An alias (<c>*name</c>) is the very node its anchor (<c>&amp;name</c>) names, start position included.</remarks>
public abstract class YamlNode
{
    private protected YamlNode(YamlMark start)
    {
        Start = start;
    }

    /// <summary>Where the node starts (its anchor or tag, when it has one).</summary>
    public YamlMark Start { get; }
}

/// <summary>A 1-based line and column in the YAML text.</summary>
public readonly record struct YamlMark(int Line, int Column)
{
    /// <summary>A mark from a parser's (possibly 0 or 64-bit) position, clamped to 1..int.MaxValue.</summary>
    public static YamlMark From(long line, long column) =>
        new((int)Math.Clamp(line, 1L, int.MaxValue), (int)Math.Clamp(column, 1L, int.MaxValue));
}

/// <summary>A scalar: its text as parsed (escapes and folding resolved) and whether it was written plain (unquoted).</summary>
public sealed class YamlScalarNode : YamlNode
{
    public YamlScalarNode(string value, bool isPlain, YamlMark start, string tag = "")
        : base(start)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(tag);
        Value = value;
        IsPlain = isPlain;
        Tag = tag;
    }

    public string Value { get; }

    /// <summary>True for a plain scalar; false for single- or double-quoted, literal (|) and folded (&gt;) ones.</summary>
    public bool IsPlain { get; }

    /// <summary>The explicit tag as the parser resolved it (such as tag:yaml.org,2002:str for !!str); empty when none.</summary>
    public string Tag { get; }

    public override string ToString() => Value;
}

/// <summary>A sequence (list) in document order.</summary>
public sealed class YamlSequenceNode : YamlNode
{
    /// <param name="children">Read, not copied: a parser may fill it after construction (a node that contains an alias of itself).</param>
    public YamlSequenceNode(IReadOnlyList<YamlNode> children, YamlMark start)
        : base(start)
    {
        ArgumentNullException.ThrowIfNull(children);
        Children = children;
    }

    public IReadOnlyList<YamlNode> Children { get; }
}

/// <summary>A mapping in document order. The parser rejects duplicate keys, so each key occurs once.</summary>
public sealed class YamlMappingNode : YamlNode
{
    /// <param name="children">Read, not copied: a parser may fill it after construction (a node that contains an alias of itself).</param>
    public YamlMappingNode(IReadOnlyList<KeyValuePair<YamlNode, YamlNode>> children, YamlMark start)
        : base(start)
    {
        ArgumentNullException.ThrowIfNull(children);
        Children = children;
    }

    public IReadOnlyList<KeyValuePair<YamlNode, YamlNode>> Children { get; }

    /// <summary>
    /// The value of the untagged scalar key whose text is <paramref name="key"/>, quoted or plain (an explicitly
    /// tagged key such as <c>!!str a</c> is another key, as in YamlDotNet's key equality).
    /// </summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out YamlNode? value)
    {
        foreach ((YamlNode k, YamlNode v) in Children)
        {
            if (k is YamlScalarNode { Tag.Length: 0 } scalar && string.Equals(scalar.Value, key, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }
}
