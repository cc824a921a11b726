using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NodeFoundry.Tests.Surface;

/// <summary>Where the repository, the built module and PowerShellStandard.Library are, as the build recorded them.</summary>
internal static partial class ModuleLayout
{
    public const string CmdletAssemblyName = "NodeFoundry.PowerShell";
    public const string EngineAssemblyName = "NodeFoundry.Engine";

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string DocsDirectory => Path.Combine(RepositoryRoot, "docs");

    public static string HelpDirectory => Path.Combine(RepositoryRoot, "en-US");

    public static string ModuleSourceDirectory => Path.Combine(RepositoryRoot, "src", "NodeFoundry.PowerShell");

    public static string ManifestPath => Path.Combine(ModuleSourceDirectory, "NodeFoundry.psd1");

    public static string FormatPath => Path.Combine(ModuleSourceDirectory, "NodeFoundry.format.ps1xml");

    /// <summary>
    /// The module project's own build output (an importable module folder: manifest, cmdlet and engine dlls, and
    /// Dependencies/ with the adapters and YamlDotNet; see docs/module-layout.md).
    /// </summary>
    public static string ModuleOutputDirectory { get; } = Metadata("ModuleOutputDirectory");

    /// <summary>The built assemblies, copied next to the tests by the ProjectReference that also builds them first.</summary>
    public static string BuiltAssembly(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    public static string PowerShellStandardAssembly { get; } = Metadata("PowerShellStandardAssembly");

    public static string VersionPrefix =>
        XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value.Trim();

    /// <summary>
    /// A MetadataLoadContext over the build output, the reference System.Management.Automation the module compiles
    /// against (the real one is not installed here), and this runtime's framework assemblies. Neither dll references
    /// YamlDotNet: it sits behind the engine's YAML adapter, in the module's Dependencies/ folder.
    /// </summary>
    public static MetadataLoadContext CreateLoadContext()
    {
        var paths = new List<string>
        {
            BuiltAssembly(CmdletAssemblyName),
            BuiltAssembly(EngineAssemblyName),
            PowerShellStandardAssembly,
        };
        paths.AddRange(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        return new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
    }

    /// <summary>Reads a quoted string list (<c>Key = @('a', 'b')</c>) from the manifest.</summary>
    public static IReadOnlyList<string> ManifestList(string key)
    {
        Match match = Regex.Match(File.ReadAllText(ManifestPath), key + @"\s*=\s*@\(([^)]*)\)");
        Assert.True(match.Success, $"{key} = @(...) not found in {ManifestPath}");
        return [.. QuotedString().Matches(match.Groups[1].Value).Select(m => m.Groups[1].Value)];
    }

    /// <summary>Reads a single quoted value (<c>Key = 'value'</c>) from the manifest.</summary>
    public static string ManifestValue(string key)
    {
        Match match = Regex.Match(File.ReadAllText(ManifestPath), @"(?m)^\s*" + key + @"\s*=\s*'([^']*)'");
        Assert.True(match.Success, $"{key} = '...' not found in {ManifestPath}");
        return match.Groups[1].Value;
    }

    private static string Metadata(string key) =>
        typeof(ModuleLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex QuotedString();
}
