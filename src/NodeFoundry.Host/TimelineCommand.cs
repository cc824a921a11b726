using System.Globalization;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;
using NodeFoundry.Timeline;

namespace NodeFoundry.Host;

/// <summary>
/// `timeline --config FILE [--mac MAC]`: the fleet-wide boot timeline from the store the fleet's servers share, every
/// server's events merged by time; with --mac, that node's events one by one with the server that saw each.
/// </summary>
internal static class TimelineCommand
{
    public static int Run(ArgumentReader options, TextWriter output)
    {
        var fleet = FleetFiles.Load(options.Require("config"));
        var mac = options.Get("mac") is { } text
            ? MacAddressText.TryParse(text, out var parsed) ? parsed : throw new UsageException($"--mac '{text}' is not a MAC address")
            : null;
        using var store = SharedStore.Open(fleet);
        var events = store.ReadEvents(mac);
        var timelines = FleetTimeline.Fold(events, fleet, store.ReadNodes());
        output.WriteLine($"{"MAC",-17} {"Name",-16} {"Stage",-13} {"Attempt",7} {"Address",-15} {"Firmware",-12} Last seen (UTC)");
        foreach (var node in timelines)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{MacAddressText.Format(node.MacAddress),-17} {node.NodeName ?? "-",-16} {node.Stage,-13} {node.Attempt,7} {node.IPAddress?.ToString() ?? "-",-15} {FirmwareKindNames.ToName(node.Firmware),-12} {node.LastSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}"));
        }

        if (mac is not null)
        {
            output.WriteLine();
            output.WriteLine($"{"At (UTC)",-23} {"Stage",-13} {"Address",-15} {"Server",-28} Detail");
            foreach (var record in events)
            {
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{record.At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} {record.Stage,-13} {record.IPAddress?.ToString() ?? "-",-15} {record.Server,-28} {record.Detail}"));
            }
        }

        return 0;
    }
}
