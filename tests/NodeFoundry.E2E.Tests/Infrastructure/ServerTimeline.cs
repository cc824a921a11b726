using System.Globalization;
using System.Text.RegularExpressions;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// A node's boot timeline as the running server reports it: `nodefoundry serve` logs every
/// <see cref="BootStageEvent"/> as <c>HH:mm:ss.fff node &lt;Stage&gt; &lt;MAC&gt; &lt;ip&gt; &lt;name&gt; (from …; cause)</c>
/// (UTC, see docs/boot-timeline.md). This reads those lines from the server's stdout.
/// </summary>
public static partial class ServerTimeline
{
    /// <summary>The earliest time (UTC) each stage was reached by <paramref name="mac"/>, counting only lines at or after <paramref name="sinceUtc"/>.</summary>
    public static IReadOnlyDictionary<BootStage, DateTime> Stages(string serverOutput, string mac, DateTime sinceUtc)
    {
        ArgumentNullException.ThrowIfNull(serverOutput);
        ArgumentNullException.ThrowIfNull(mac);
        var wanted = mac.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var stages = new Dictionary<BootStage, DateTime>();
        foreach (var line in serverOutput.Split('\n'))
        {
            var match = StageLine().Match(line);
            if (!match.Success || !string.Equals(match.Groups["mac"].Value, wanted, StringComparison.OrdinalIgnoreCase)
                || !Enum.TryParse<BootStage>(match.Groups["stage"].Value, out var stage))
            {
                continue;
            }

            var at = ToUtc(TimeSpan.ParseExact(match.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture), sinceUtc);
            if (at >= sinceUtc.AddSeconds(-1) && !stages.ContainsKey(stage))
            {
                stages[stage] = at;
            }
        }

        return stages;
    }

    /// <summary>Seconds from <paramref name="startUtc"/> to the first of <paramref name="stages"/> reached, or null.</summary>
    public static double? SecondsTo(IReadOnlyDictionary<BootStage, DateTime> timeline, DateTime startUtc, params BootStage[] stages)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var times = stages.Where(timeline.ContainsKey).Select(s => timeline[s]).ToList();
        return times.Count == 0 ? null : Math.Round((times.Min() - startUtc).TotalSeconds, 1);
    }

    /// <summary>The log line's time of day on the day of <paramref name="reference"/> (or the next, across midnight).</summary>
    private static DateTime ToUtc(TimeSpan timeOfDay, DateTime reference)
    {
        var at = reference.Date + timeOfDay;
        return at < reference.AddHours(-12) ? at.AddDays(1) : at;
    }

    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d\d\d) node (?<stage>\w+)\s+(?<mac>[0-9A-Fa-f]{12})\s")]
    private static partial Regex StageLine();
}
