using System.Management.Automation;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>Reads fleet files and writes their nodes; an invalid file writes one error per problem, with file:line:col.</summary>
[Cmdlet(VerbsData.Import, "NfFleet", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FleetNode))]
public sealed class ImportNfFleetCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Fleet file path(s); wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Fleet file path(s), taken literally.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Only the nodes with these names (wildcards allowed); a name without wildcards that no node has is an error.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetNodeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only the nodes that install one of these boot profiles (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetProfileCompleter))]
    public string[]? Profile { get; set; }

    protected override void ProcessRecord()
    {
        var selection = new FleetRendering(this);
        foreach (string file in ResolveFiles())
        {
            // The loader never throws for a bad or unreadable file: every problem comes back as a FleetError.
            FleetLoadResult result = FleetLoader.LoadFile(file);
            if (result.Fleet is { } fleet)
            {
                FleetCompletionSource.Remember(file);
                WriteObject(selection.Select(fleet, Name).Where(MatchesProfile), enumerateCollection: true);
                continue;
            }

            foreach (FleetError error in result.Errors)
            {
                // One record per problem, worded by the engine (file:line:col: field: message Fix: ...);
                // the FleetError itself (with Value) is the target object.
                WriteError(new ErrorRecord(new FleetValidationException([error]), ErrorIds.FleetFileInvalid, ErrorCategory.InvalidData, error)
                {
                    ErrorDetails = new ErrorDetails(error.ToString()) { RecommendedAction = error.Fix },
                });
            }
        }
    }

    private List<string> ResolveFiles()
    {
        var files = new List<string>();
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (string literal in LiteralPath)
            {
                string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal);
                if (File.Exists(file))
                {
                    files.Add(file);
                }
                else
                {
                    WriteNotFound(literal);
                }
            }

            return files;
        }

        foreach (string pattern in Path)
        {
            try
            {
                files.AddRange(GetResolvedProviderPathFromPSPath(pattern, out ProviderInfo _));
            }
            catch (ItemNotFoundException)
            {
                WriteNotFound(pattern);
            }
        }

        return files;
    }

    private bool MatchesProfile(FleetNode node)
    {
        if (Profile is null || Profile.Length == 0)
        {
            return true;
        }

        return node.Profile is { } profile
            && Profile.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase).IsMatch(profile));
    }

    private void WriteNotFound(string path) =>
        WriteError(new ErrorRecord(
            new FileNotFoundException($"Fleet file '{path}' does not exist.", path),
            ErrorIds.FleetFileNotFound, ErrorCategory.ObjectNotFound, path));
}
