using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>examples/lab.yaml, loaded once: the fleet operators copy is the fleet the engine tests use.</summary>
internal static class LabFleetFixture
{
    private static readonly Lazy<FleetConfig> Fleet = new(() => Load());

    public static FleetConfig Config => Fleet.Value;

    public static string Yaml => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lab.yaml"));

    /// <summary>The lab fleet with edits applied to its YAML text (e.g. proxy mode), validated like any file.</summary>
    public static FleetConfig Load(Func<string, string>? edit = null)
    {
        var text = edit is null ? Yaml : edit(Yaml);
        var result = FleetLoader.Parse(text, "lab.yaml", Path.GetTempPath());
        return result.IsValid ? result.Fleet! : throw new FleetValidationException(result.Errors);
    }
}
