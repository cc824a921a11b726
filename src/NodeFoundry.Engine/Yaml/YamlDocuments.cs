using NodeFoundry.Adapters;

namespace NodeFoundry.Yaml;

/// <summary>Parses YAML through the adapter assembly <see cref="AdapterAssemblyName"/>, loaded once on first use.</summary>
public static class YamlDocuments
{
    /// <summary>The adapter assembly that implements <see cref="IYamlDocumentParser"/> over YamlDotNet.</summary>
    public const string AdapterAssemblyName = "NodeFoundry.Yaml";

    private static readonly Lazy<IYamlDocumentParser> LazyParser =
        new(() => AdapterLoader.Create<IYamlDocumentParser>(AdapterAssemblyName), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide parser.</summary>
    /// <exception cref="FileNotFoundException">The adapter assembly is not installed where the engine looks for it.</exception>
    public static IYamlDocumentParser Parser => LazyParser.Value;

    /// <inheritdoc cref="IYamlDocumentParser.Parse"/>
    public static IReadOnlyList<YamlNode> Parse(string text) => Parser.Parse(text);
}
