using System.Management.Automation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// What New-NfBootScript and New-NfAnswerFile share: fleet files loaded once per pipeline, node selection by name
/// pattern, lint findings reported as warnings and errors, and files written under an output folder that mirrors
/// the HTTP routes.
/// </summary>
internal sealed class FleetRendering(PSCmdlet cmdlet)
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly Dictionary<string, FleetConfig?> _fleets = new(StringComparer.Ordinal);

    /// <summary>The fleet at <paramref name="path"/> (loaded once); null after writing one error per problem.</summary>
    public FleetConfig? Load(string path)
    {
        string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (_fleets.TryGetValue(full, out FleetConfig? cached))
        {
            return cached;
        }

        FleetLoadResult result = FleetLoader.LoadFile(full);
        foreach (FleetError error in result.Errors)
        {
            cmdlet.WriteError(new ErrorRecord(new FleetValidationException([error]), ErrorIds.FleetFileInvalid, ErrorCategory.InvalidData, error)
            {
                ErrorDetails = new ErrorDetails(error.ToString()) { RecommendedAction = error.Fix },
            });
        }

        _fleets[full] = result.Fleet;
        if (result.Fleet is not null)
        {
            FleetCompletionSource.Remember(full);
        }

        return result.Fleet;
    }

    /// <summary>The nodes matching any of <paramref name="names"/> (wildcards allowed; all nodes when null), in file order.</summary>
    public List<FleetNode> Select(FleetConfig fleet, string[]? names)
    {
        if (names is null || names.Length == 0)
        {
            return [.. fleet.Nodes];
        }

        var patterns = names.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        List<FleetNode> nodes = [.. fleet.Nodes.Where(node => patterns.Any(p => p.IsMatch(node.Name)))];
        foreach (string name in names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && fleet.FindByName(n) is null))
        {
            cmdlet.WriteError(new ErrorRecord(
                new ItemNotFoundException($"The fleet file {fleet.SourcePath} has no node named '{name}'."),
                ErrorIds.NodeNotFound, ErrorCategory.ObjectNotFound, name));
        }

        return nodes;
    }

    /// <summary>Writes each warning finding as a warning and each error finding as a non-terminating error; true when there was no error.</summary>
    public bool Report(string who, IReadOnlyList<LintFinding> findings, string errorId, object target)
    {
        bool valid = true;
        foreach (LintFinding finding in findings)
        {
            if (finding.Severity == LintSeverity.Warning)
            {
                cmdlet.WriteWarning($"{who}: {finding}");
                continue;
            }

            valid = false;
            cmdlet.WriteError(new ErrorRecord(new InvalidDataException($"{who}: {finding}"), errorId, ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails($"{who}: {finding}") { RecommendedAction = finding.Fix },
            });
        }

        return valid;
    }

    /// <summary>
    /// Writes <paramref name="text"/> to the route under <paramref name="outputPath"/> (colons in MACs become hyphens,
    /// which Windows file names need and the routes accept) when ShouldProcess allows; returns the file, or null.
    /// </summary>
    public string? Write(string outputPath, string route, string text, string what)
    {
        string root = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(outputPath);
        string file = Path.Combine(root, OnDisk(route).Replace('/', Path.DirectorySeparatorChar));
        if (!cmdlet.ShouldProcess(file, $"Write {what}"))
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text, Utf8NoBom);
            return file;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.OutputNotWritten, ErrorCategory.WriteError, file));
            return null;
        }
    }

    /// <summary>The on-disk form of a route: <c>52:54:00:00:00:01</c> becomes <c>52-54-00-00-00-01</c>.</summary>
    public static string OnDisk(string route) => route.Replace(':', '-');
}
