using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>A copy of examples/lab.yaml in a test's own temp folder, so its state (lease journal) is the test's alone.</summary>
public sealed class LabFleet : IDisposable
{
    public LabFleet(string? yamlOverride = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("nf-lab-");
        Path = System.IO.Path.Combine(Directory.FullName, "lab.yaml");
        File.WriteAllText(Path, yamlOverride ?? File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "lab.yaml")));
        Config = FleetLoader.LoadFileOrThrow(Path);
    }

    public DirectoryInfo Directory { get; }

    public string Path { get; }

    public FleetConfig Config { get; }

    public string JournalPath => System.IO.Path.Combine(Directory.FullName, "state", "leases.journal");

    public static string ExampleYaml => File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "lab.yaml"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a killed server may still hold the journal open for a moment; the temp folder is reaped later
        }
    }
}
