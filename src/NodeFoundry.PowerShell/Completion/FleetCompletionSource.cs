using NodeFoundry.Fleet;

namespace NodeFoundry.PowerShell.Completion;

/// <summary>
/// Completion candidates from fleet files, free of System.Management.Automation so it is unit-tested directly.
/// A completer names the fleet file when the command line has one (-FleetPath, -FleetFile, -Path); otherwise the
/// fleet files this session used most recently (Import-NfFleet, Start-Nf*, New-Nf*) are offered from. Parsed fleets
/// are cached by path and last-write time: completion runs on every Tab press and must not re-read YAML each time.
/// </summary>
internal static class FleetCompletionSource
{
    /// <summary>Most fleet files remembered for completion.</summary>
    internal const int RecentCapacity = 8;

    private static readonly object Gate = new();
    private static readonly LinkedList<string> Recent = new();
    private static readonly Dictionary<string, (DateTime Written, FleetConfig? Fleet)> Cache = new(StringComparer.Ordinal);

    /// <summary>Remembers a fleet file a cmdlet used, newest first; the oldest beyond <see cref="RecentCapacity"/> is forgotten.</summary>
    public static void Remember(string fullPath)
    {
        lock (Gate)
        {
            Recent.Remove(fullPath);
            Recent.AddFirst(fullPath);
            while (Recent.Count > RecentCapacity)
            {
                Cache.Remove(Recent.Last!.Value);
                Recent.RemoveLast();
            }
        }
    }

    /// <summary>The remembered fleet files, newest first.</summary>
    public static IReadOnlyList<string> RecentFleets()
    {
        lock (Gate)
        {
            return [.. Recent];
        }
    }

    /// <summary>Forgets every remembered fleet (tests).</summary>
    internal static void Reset()
    {
        lock (Gate)
        {
            Recent.Clear();
            Cache.Clear();
        }
    }

    /// <summary>
    /// Candidates of <paramref name="kind"/> whose text starts with <paramref name="wordToComplete"/> (case-insensitive; a
    /// leading quote is ignored), from <paramref name="fleetPath"/> when given, else from the recent fleets; each value once,
    /// sorted. An unreadable or invalid fleet contributes nothing: completion never throws.
    /// </summary>
    public static IReadOnlyList<FleetCompletionCandidate> Complete(FleetCompletionKind kind, string? fleetPath, string? wordToComplete)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IEnumerable<string> files = string.IsNullOrWhiteSpace(fleetPath) ? RecentFleets() : [fleetPath];
        var seen = new SortedDictionary<string, FleetCompletionCandidate>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in files)
        {
            if (Load(file) is not { } fleet)
            {
                continue;
            }

            foreach ((string value, string toolTip) in Values(kind, fleet))
            {
                if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && !seen.ContainsKey(value))
                {
                    seen[value] = new FleetCompletionCandidate(Quote(value), value, toolTip);
                }
            }
        }

        return [.. seen.Values];
    }

    private static IEnumerable<(string Value, string ToolTip)> Values(FleetCompletionKind kind, FleetConfig fleet)
    {
        switch (kind)
        {
            case FleetCompletionKind.NodeName:
                return fleet.Nodes.Select(n => (n.Name, $"{n.Name} {MacAddressText.Format(n.MacAddress)} profile {n.Profile ?? "(none)"}"));
            case FleetCompletionKind.MacAddress:
                return fleet.Nodes.Select(n => (MacAddressText.Format(n.MacAddress), n.Name));
            case FleetCompletionKind.ProfileName:
                return fleet.Profiles.Values.Select(p => (p.Name, $"{p.Name}: {fleet.Nodes.Count(n => string.Equals(n.Profile, p.Name, StringComparison.OrdinalIgnoreCase))} node(s)"));
            default:
                return [];
        }
    }

    private static FleetConfig? Load(string file)
    {
        DateTime written;
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            written = File.GetLastWriteTimeUtc(file);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        lock (Gate)
        {
            if (Cache.TryGetValue(file, out var entry) && entry.Written == written)
            {
                return entry.Fleet;
            }
        }

        FleetConfig? fleet = FleetLoader.LoadFile(file).Fleet;
        lock (Gate)
        {
            Cache[file] = (written, fleet);
        }

        return fleet;
    }

    /// <summary>Single-quotes a value PowerShell would otherwise split or expand (spaces, $, quotes, ...).</summary>
    internal static string Quote(string value) =>
        value.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
