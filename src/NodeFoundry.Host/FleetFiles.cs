using NodeFoundry.Fleet;

namespace NodeFoundry.Host;

/// <summary>Loads fleet files for the commands, turning validation errors into one readable failure.</summary>
internal static class FleetFiles
{
    public static FleetConfig Load(string path)
    {
        var result = FleetLoader.LoadFile(path);
        if (!result.IsValid)
        {
            throw new InvalidOperationException(
                $"the fleet file is invalid; nothing was started:\n  {string.Join("\n  ", result.Errors)}");
        }

        return result.Fleet!;
    }

    /// <summary>The example lab compiled into the host, so the demo needs no file on disk.</summary>
    public static string EmbeddedLabYaml()
    {
        using var stream = typeof(FleetFiles).Assembly.GetManifestResourceStream("NodeFoundry.Host.lab.yaml")
            ?? throw new InvalidOperationException("the embedded example fleet is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
