using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Host;

/// <summary>What `timeline` and `nodes` read: the boot-event store the fleet's servers share.</summary>
internal static class SharedStore
{
    public static IBootEventStore Open(FleetConfig fleet)
    {
        if (!BootEventStores.IsShared(fleet))
        {
            // Nothing to read offline: a lone server keeps its timeline in memory (its job, its `serve` log).
            throw new InvalidOperationException(
                $"{fleet.SourcePath} keeps no shared boot events (storage.kind is journal); they are shared with storage: {{ kind: postgresql }}. A lone server's timeline is in its log (`serve`) or Get-NfBootTimeline -Job.");
        }

        return BootEventStores.OpenPostgres(fleet);
    }
}
