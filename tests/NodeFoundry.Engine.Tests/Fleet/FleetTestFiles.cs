namespace NodeFoundry.Tests.Fleet;

/// <summary>Locates files of the repository (examples/) from the test output folder.</summary>
internal static class FleetTestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string LabExample => Path.Combine(RepositoryRoot, "examples", "lab.yaml");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeFoundry.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (NodeFoundry.slnx) above " + AppContext.BaseDirectory);
    }
}
