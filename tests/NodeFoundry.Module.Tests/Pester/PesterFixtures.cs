using NodeFoundry.Tests.Surface;

namespace NodeFoundry.Tests.Pester;

/// <summary>The files tests/Pester uses, and the temporary roots its suites serve, as the assumption tests build them.</summary>
internal static class PesterFixtures
{
    /// <summary>tests/Pester/fixtures/fleet.yaml: the two-node lab every server suite starts from.</summary>
    public static string Fleet { get; } = Path.Combine(ModuleLayout.RepositoryRoot, "tests", "Pester", "fixtures", "fleet.yaml");
}

/// <summary>A temporary folder for an engine to serve, deleted on Dispose (the suites use $TestDrive).</summary>
internal sealed class TempRoot : IDisposable
{
    public TempRoot(string prefix) => FullName = Directory.CreateTempSubdirectory(prefix).FullName;

    public string FullName { get; }

    /// <summary>Writes <paramref name="length"/> bytes of seeded noise to <paramref name="relativePath"/> (folders included) and returns them.</summary>
    public byte[] WriteRandom(string relativePath, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        string path = Path.Combine(FullName, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    public void Dispose() => Directory.Delete(FullName, recursive: true);
}
