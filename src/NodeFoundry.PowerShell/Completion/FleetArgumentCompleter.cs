using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace NodeFoundry.PowerShell.Completion;

/// <summary>
/// Tab completion from a fleet file: the one on the command line (-FleetPath, -FleetFile, -Path, -LiteralPath), or
/// the fleet files this session used. The candidates come from <see cref="FleetCompletionSource"/>; this class only
/// adapts them to PowerShell.
/// </summary>
public abstract class FleetArgumentCompleter : IArgumentCompleter
{
    private static readonly string[] FleetParameters = ["FleetPath", "FleetFile", "LiteralPath", "Path"];

    private protected abstract FleetCompletionKind Kind { get; }

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? fleetPath = FleetPathFrom(fakeBoundParameters);
        return FleetCompletionSource.Complete(Kind, fleetPath, wordToComplete)
            .Select(c => new CompletionResult(c.CompletionText, c.ListItemText, CompletionResultType.ParameterValue, c.ToolTip));
    }

    private static string? FleetPathFrom(IDictionary? bound)
    {
        if (bound is null)
        {
            return null;
        }

        foreach (string name in FleetParameters)
        {
            object? value = bound.Contains(name) ? bound[name] : null;
            string? text = value switch
            {
                string s => s,
                IEnumerable e => e.OfType<object>().Select(o => o.ToString()).FirstOrDefault(),
                FileSystemInfo f => f.FullName,
                _ => value?.ToString(),
            };
            if (!string.IsNullOrWhiteSpace(text))
            {
                return Resolve(text);
            }
        }

        return null;
    }

    private static string Resolve(string path)
    {
        // PowerShell's location is not the process's working directory: resolve through the session when there is one.
        try
        {
            if (Runspace.DefaultRunspace?.SessionStateProxy?.Path is { } paths)
            {
                return paths.GetUnresolvedProviderPathFromPSPath(path);
            }
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException or ArgumentException)
        {
            // fall through: a relative path against the process directory is the best left
        }

        return System.IO.Path.GetFullPath(path);
    }
}

/// <summary>Completes node names from the fleet file.</summary>
public sealed class FleetNodeNameCompleter : FleetArgumentCompleter
{
    private protected override FleetCompletionKind Kind => FleetCompletionKind.NodeName;
}

/// <summary>Completes node boot MAC addresses from the fleet file (tool tip: the node's name).</summary>
public sealed class FleetMacAddressCompleter : FleetArgumentCompleter
{
    private protected override FleetCompletionKind Kind => FleetCompletionKind.MacAddress;
}

/// <summary>Completes boot profile names from the fleet file.</summary>
public sealed class FleetProfileCompleter : FleetArgumentCompleter
{
    private protected override FleetCompletionKind Kind => FleetCompletionKind.ProfileName;
}
