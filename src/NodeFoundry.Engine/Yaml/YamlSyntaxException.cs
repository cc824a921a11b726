namespace NodeFoundry.Yaml;

/// <summary>The text is not well-formed YAML (or repeats a key): the parser's message and where it stopped.</summary>
public sealed class YamlSyntaxException : Exception
{
    public YamlSyntaxException()
        : this("The YAML does not parse.", new YamlMark(1, 1))
    {
    }

    public YamlSyntaxException(string message)
        : this(message, new YamlMark(1, 1))
    {
    }

    public YamlSyntaxException(string message, Exception innerException)
        : this(message, new YamlMark(1, 1), innerException)
    {
    }

    public YamlSyntaxException(string message, YamlMark start, Exception? innerException = null)
        : base(message, innerException)
    {
        Start = start;
    }

    /// <summary>The parser's mark for the error (1-based).</summary>
    public YamlMark Start { get; }
}
