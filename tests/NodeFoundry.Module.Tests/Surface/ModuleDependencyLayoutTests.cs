using System.Reflection;
using System.Runtime.InteropServices;

namespace NodeFoundry.Tests.Surface;

/// <summary>
/// The module's build output keeps third-party code out of the default AssemblyLoadContext's reach: adapters and
/// YamlDotNet in Dependencies/, nothing third-party beside NodeFoundry.PowerShell.dll (docs/module-layout.md).
/// </summary>
public sealed class ModuleDependencyLayoutTests : IDisposable
{
    private static readonly string[] ModuleRootAssemblies = ["NodeFoundry.PowerShell.dll", "NodeFoundry.Engine.dll", "System.Management.Automation.dll"];

    private readonly MetadataLoadContext _context = ModuleLayout.CreateLoadContext();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void The_build_output_is_a_module_folder()
    {
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, "NodeFoundry.psd1")));
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, "NodeFoundry.format.ps1xml")));
    }

    [Theory]
    [InlineData("NodeFoundry.Postgres", "Npgsql")]
    [InlineData("NodeFoundry.Postgres", "Microsoft.Extensions.Logging.Abstractions")]
    public void The_PostgreSQL_adapter_and_Npgsql_are_in_Dependencies_only(string adapter, string dependency)
    {
        string dependencies = Path.Combine(ModuleLayout.ModuleOutputDirectory, "Dependencies");

        Assert.True(File.Exists(Path.Combine(dependencies, adapter + ".dll")), $"{adapter}.dll missing from Dependencies/");
        Assert.True(File.Exists(Path.Combine(dependencies, dependency + ".dll")), $"{dependency}.dll missing from Dependencies/");
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, adapter + ".dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, dependency + ".dll")));
    }

    [Fact]
    public void The_adapter_and_YamlDotNet_are_in_Dependencies_only()
    {
        string dependencies = Path.Combine(ModuleLayout.ModuleOutputDirectory, "Dependencies");

        Assert.True(File.Exists(Path.Combine(dependencies, "NodeFoundry.Yaml.dll")));
        Assert.True(File.Exists(Path.Combine(dependencies, "YamlDotNet.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, "YamlDotNet.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleOutputDirectory, "NodeFoundry.Yaml.dll")));
        Assert.False(File.Exists(Path.Combine(dependencies, "NodeFoundry.Engine.dll")), "The engine must load once, in the default context.");
    }

    [Fact]
    public void Beside_the_module_dll_are_only_the_engine_and_the_reference_System_Management_Automation()
    {
        string[] root = [.. Directory.GetFiles(ModuleLayout.ModuleOutputDirectory, "*.dll").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

        Assert.Subset(ModuleRootAssemblies.ToHashSet(StringComparer.Ordinal), root.ToHashSet(StringComparer.Ordinal));
        Assert.Contains("NodeFoundry.PowerShell.dll", root);
        Assert.Contains("NodeFoundry.Engine.dll", root);
    }

    [Theory]
    [InlineData(ModuleLayout.CmdletAssemblyName, new[] { ModuleLayout.EngineAssemblyName, "System.Management.Automation" })]
    [InlineData(ModuleLayout.EngineAssemblyName, new string[0])]
    public void The_default_context_dlls_reference_nothing_third_party(string assembly, string[] allowed)
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        Assembly built = _context.LoadFromAssemblyPath(Path.Combine(ModuleLayout.ModuleOutputDirectory, assembly + ".dll"));

        string[] thirdParty = [.. built.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => n != "netstandard" && !File.Exists(Path.Combine(runtime, n + ".dll")) && !allowed.Contains(n, StringComparer.Ordinal))];

        Assert.Empty(thirdParty);
        Assert.DoesNotContain(built.GetReferencedAssemblies(), r => r.Name is "YamlDotNet" or "Npgsql");
    }
}
