using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using NodeFoundry.Adapters;
using NodeFoundry.Fleet;
using NodeFoundry.Yaml;

namespace NodeFoundry.Tests.Yaml;

/// <summary>YamlDotNet lives in the engine's private AssemblyLoadContext, never in the default one (docs/module-layout.md).</summary>
public sealed class AdapterIsolationTests
{
    [Fact]
    public void The_engine_references_only_framework_assemblies()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        AssemblyName[] references = typeof(FleetLoader).Assembly.GetReferencedAssemblies();

        Assert.DoesNotContain(references, r => r.Name == "YamlDotNet");
        Assert.All(references, r => Assert.True(
            r.Name is "netstandard" || File.Exists(Path.Combine(runtime, r.Name + ".dll")),
            $"NodeFoundry.Engine references {r.FullName}, which is not part of the framework; put it behind an adapter."));
    }

    [Fact]
    public void Reading_a_fleet_loads_YamlDotNet_and_the_adapter_in_the_private_context()
    {
        FleetLoadResult result = FleetLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "lab.yaml"));
        Assert.True(result.IsValid);

        AssemblyLoadContext context = Assert.IsAssignableFrom<AssemblyLoadContext>(AdapterLoader.LoadContext);
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.False(context.IsCollectible);

        Assembly yamlDotNet = Assert.Single(context.Assemblies, a => a.GetName().Name == "YamlDotNet");
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(yamlDotNet));
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(YamlDocuments.Parser.GetType().Assembly));
        Assert.Equal(YamlDocuments.AdapterAssemblyName, YamlDocuments.Parser.GetType().Assembly.GetName().Name);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "YamlDotNet");

        // The engine is shared, not loaded twice: the adapter implements the very interface the engine declares.
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(typeof(IYamlDocumentParser).Assembly));
        Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == typeof(IYamlDocumentParser).Assembly.GetName().Name);
    }

    [Fact]
    public void A_missing_adapter_names_the_file_and_where_it_was_looked_for()
    {
        FileNotFoundException ex = Assert.Throws<FileNotFoundException>(() => AdapterLoader.Create<IYamlDocumentParser>("NodeFoundry.NoSuchAdapter"));

        Assert.Equal("NodeFoundry.NoSuchAdapter.dll", ex.FileName);
        Assert.Contains("NodeFoundry.NoSuchAdapter.dll", ex.Message, StringComparison.Ordinal);
        string engine = Path.GetDirectoryName(typeof(AdapterLoader).Assembly.Location)!;
        Assert.Contains(Path.Combine(engine, "Dependencies"), ex.Message, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(engine, "Dependencies"), engine], AdapterLoader.SearchDirectories);
    }

    /// <summary>
    /// The PlatyPS scenario, in a child process laid out like the module (tests/NodeFoundry.AdapterProbe): YamlDotNet
    /// 11.2.1 is loaded into the default context first; the fleet file still reads, with the private 16.x.
    /// </summary>
    [Fact]
    public void A_different_YamlDotNet_already_in_the_default_context_does_not_clash()
    {
        Dictionary<string, List<string>> output = RunProbe(Path.Combine(AppContext.BaseDirectory, "lab.yaml"));

        Assert.Equal(["11.0.0.0"], output["default.yamldotnet"]);
        Assert.Equal(["True"], output["default.yamldotnet.works"]);
        Assert.Equal(["True"], output["fleet.valid"]);
        Assert.Equal(["3"], output["fleet.nodes"]);
        Assert.Equal(["3:1"], output["broken.error"]);

        // Without the private context the engine's YamlDotNet would have had to load here, and cannot.
        Assert.Equal(["FileLoadException"], output["default.load16"]);

        string dependencies = Path.Combine(ProbeDirectory, "Dependencies", "YamlDotNet.dll");
        Assert.Equal(2, output["loaded"].Count);
        Assert.Contains($"11.0.0.0@Default@{Path.Combine(ProbeDirectory, "clash", "YamlDotNet.dll")}", output["loaded"]);
        Assert.Contains($"16.0.0.0@NodeFoundry.Dependencies@{dependencies}", output["loaded"]);
    }

    private static string ProbeDirectory { get; } =
        typeof(AdapterIsolationTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AdapterProbeDirectory").Value!;

    private static Dictionary<string, List<string>> RunProbe(string fleetFile)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ProbeDirectory, "NodeFoundry.AdapterProbe.dll"));
        start.ArgumentList.Add(fleetFile);
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"probe exited {process.ExitCode}: {error.Result}\n{text}");

        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            string key = line[..eq];
            if (!result.TryGetValue(key, out List<string>? values))
            {
                result[key] = values = [];
            }

            values.Add(line[(eq + 1)..]);
        }

        return result;
    }
}
