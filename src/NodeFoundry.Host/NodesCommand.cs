using System.Globalization;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Host;

/// <summary>`nodes --config FILE`: the fleet inventory every server sharing the store has built (nf_node), one line per node.</summary>
internal static class NodesCommand
{
    public static int Run(ArgumentReader options, TextWriter output)
    {
        var fleet = FleetFiles.Load(options.Require("config"));
        using var store = SharedStore.Open(fleet);
        output.WriteLine($"{"MAC",-17} {"Name",-16} {"UUID",-36} {"Firmware",-12} {"Last address",-15} {"Last server",-28} {"First seen (UTC)",-19} {"Last seen (UTC)",-19} Installed (UTC)");
        foreach (var node in store.ReadNodes())
        {
            var firmware = node.Architecture is { } arch ? FirmwareKindNames.ToName(ClientArchitecture.ToFirmwareKind(arch)) : "-";
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{MacAddressText.Format(node.MacAddress),-17} {fleet.FindByMac(node.MacAddress)?.Name ?? node.HostName ?? "-",-16} {node.Uuid?.ToString("D") ?? "-",-36} {firmware,-12} {node.LastIPAddress?.ToString() ?? "-",-15} {node.LastServer,-28} {node.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss} {node.LastSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss} {(node.InstalledAt is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-")}"));
        }

        return 0;
    }
}
