using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Timeline;

/// <summary>
/// The fleet-wide boot timeline: every server's <see cref="BootEventRecord"/>s of a node, merged by time into one
/// <see cref="NodeBootTimeline"/> per node, by the rules <see cref="BootTimeline"/> applies to one server's events —
/// the stage is the highest reached, each stage keeps its earliest time (whichever server saw it first), and a
/// firmware offer after Installed starts a new attempt. A node that offered through server A and fetched its script
/// from server B has one timeline with both.
/// </summary>
public static class FleetTimeline
{
    /// <summary>
    /// The fleet's timelines from <paramref name="store"/> (of one node, or all when <paramref name="macAddress"/> is
    /// null), merged with <paramref name="local"/> — a running server's own timelines, which hold what its recorder
    /// has not written yet. Throws <see cref="IOException"/> (<see cref="BootEventStoreUnavailableException"/>) when
    /// the store cannot be read.
    /// </summary>
    public static IReadOnlyList<NodeBootTimeline> Read(IBootEventStore store, FleetConfig? fleet = null, PhysicalAddress? macAddress = null, IEnumerable<NodeBootTimeline>? local = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = store.ReadEvents(macAddress);
        var inventory = store.ReadNodes();
        List<NodeBootTimeline> own = [.. (local ?? []).Where(t => macAddress is null || t.MacAddress.Equals(macAddress))];
        var merged = Fold(events.Concat(own.SelectMany(RecordsOf)), fleet, inventory);
        if (own.Count == 0)
        {
            return merged;
        }

        // The inventory may not have this server's latest sighting yet: its own timeline knows the firmware.
        var firmware = own.Where(t => t.Firmware != FirmwareKind.Unknown).ToDictionary(t => t.MacAddress, t => t.Firmware);
        return [.. merged.Select(t => t.Firmware == FirmwareKind.Unknown && firmware.TryGetValue(t.MacAddress, out FirmwareKind known) ? t with { Firmware = known } : t)];
    }

    /// <summary>
    /// Folds <paramref name="events"/> (any order; ties keep theirs) into timelines, in MAC order. Names come from the
    /// fleet file, else the inventory's host name; the firmware from the inventory's option 93.
    /// </summary>
    public static IReadOnlyList<NodeBootTimeline> Fold(IEnumerable<BootEventRecord> events, FleetConfig? fleet = null, IEnumerable<InventoryNode>? inventory = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var known = (inventory ?? []).ToDictionary(n => n.MacAddress);
        var nodes = new Dictionary<PhysicalAddress, NodeBootState>();
        foreach (BootEventRecord record in events.OrderBy(e => e.At))
        {
            if (!nodes.TryGetValue(record.MacAddress, out NodeBootState? node))
            {
                node = new NodeBootState(record.MacAddress);
                nodes.Add(record.MacAddress, node);
            }

            Apply(node, record);
        }

        foreach (NodeBootState node in nodes.Values)
        {
            known.TryGetValue(node.Mac, out InventoryNode? seen);
            node.Name = fleet?.FindByMac(node.Mac)?.Name ?? seen?.HostName;
            node.Firmware = seen?.Architecture is { } arch ? ClientArchitecture.ToFirmwareKind(arch) : FirmwareKind.Unknown;
        }

        return [.. nodes.Values.OrderBy(n => MacAddressText.Format(n.Mac), StringComparer.Ordinal).Select(n => n.ToSnapshot())];
    }

    /// <summary>A server's own timeline as the rows it writes: each stage reached, at its time.</summary>
    private static IEnumerable<BootEventRecord> RecordsOf(NodeBootTimeline timeline) =>
        timeline.Reached.Select(r => new BootEventRecord(r.Value, timeline.MacAddress, timeline.IPAddress, r.Key, "local", null));

    private static void Apply(NodeBootState node, BootEventRecord record)
    {
        if (record.Stage == BootStage.Offered && node.Reached.TryGetValue(BootStage.Installed, out DateTimeOffset installed) && record.At > installed)
        {
            node.StartOver(); // reinstalled: a new attempt, as BootTimeline counts it
        }

        if (!node.Reached.TryGetValue(record.Stage, out DateTimeOffset seen) || record.At < seen)
        {
            node.Reached[record.Stage] = record.At;
        }

        if (record.Stage > node.Stage)
        {
            node.Stage = record.Stage;
        }

        if (record.IPAddress is { } address)
        {
            node.Address = address;
        }

        if (record.At > node.LastSeen)
        {
            node.LastSeen = record.At;
        }
    }
}
