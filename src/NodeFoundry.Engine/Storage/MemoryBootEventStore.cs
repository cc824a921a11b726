using System.Net.NetworkInformation;
using NodeFoundry.Fleet;

namespace NodeFoundry.Storage;

/// <summary>
/// Boot events and inventory in this process only: for a host that embeds a <see cref="Hosting.BootStack"/> and wants
/// its inventory without a database (<see cref="Hosting.BootStackOptions.BootEventStore"/>), and the tests' stand-in
/// for one. (A stack of a journal fleet records nowhere: its <see cref="Timeline.BootTimeline"/> is its timeline.) Bounded: at most <see cref="MaxEvents"/> events (the oldest go first) and
/// <see cref="MaxNodes"/> inventory rows (a node beyond that is not added). Sightings merge by
/// <see cref="NodeSighting.MergeWith"/>, the rules the PostgreSQL store applies in SQL.
/// </summary>
public sealed class MemoryBootEventStore : IBootEventStore
{
    private readonly object _sync = new();
    private readonly LinkedList<BootEventRecord> _events = new();
    private readonly Dictionary<PhysicalAddress, NodeSighting> _nodes = [];

    public MemoryBootEventStore(int maxEvents = 100_000, int maxNodes = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNodes, 1);
        MaxEvents = maxEvents;
        MaxNodes = maxNodes;
    }

    public string Description => "memory";

    public int MaxEvents { get; }

    public int MaxNodes { get; }

    /// <summary>Events or nodes let go because a bound was reached.</summary>
    public long Discarded { get; private set; }

    public void Write(IReadOnlyList<BootEventRecord> events, IReadOnlyList<NodeSighting> sightings)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sightings);
        lock (_sync)
        {
            foreach (BootEventRecord record in events)
            {
                _events.AddLast(record);
                if (_events.Count > MaxEvents)
                {
                    _events.RemoveFirst();
                    Discarded++;
                }
            }

            foreach (NodeSighting sighting in sightings)
            {
                if (_nodes.TryGetValue(sighting.MacAddress, out NodeSighting? known))
                {
                    _nodes[sighting.MacAddress] = known.MergeWith(sighting);
                }
                else if (_nodes.Count < MaxNodes)
                {
                    _nodes[sighting.MacAddress] = sighting;
                }
                else
                {
                    Discarded++;
                }
            }
        }
    }

    public IReadOnlyList<BootEventRecord> ReadEvents(PhysicalAddress? macAddress = null)
    {
        lock (_sync)
        {
            // Stable sort: events of one time keep the order they were written in, as the database's id does.
            return [.. _events.Where(e => macAddress is null || e.MacAddress.Equals(macAddress)).OrderBy(e => e.At)];
        }
    }

    public IReadOnlyList<InventoryNode> ReadNodes()
    {
        lock (_sync)
        {
            return [.. _nodes.Values.OrderBy(n => MacAddressText.Format(n.MacAddress), StringComparer.Ordinal).Select(ToInventory)];
        }
    }

    public int PruneEvents(DateTimeOffset before, int maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        lock (_sync)
        {
            // Written in arrival order, not time order (servers' batches interleave): look at every event.
            int pruned = 0;
            LinkedListNode<BootEventRecord>? node = _events.First;
            while (node is not null && pruned < maxEvents)
            {
                LinkedListNode<BootEventRecord>? next = node.Next;
                if (node.Value.At < before)
                {
                    _events.Remove(node);
                    pruned++;
                }

                node = next;
            }

            return pruned;
        }
    }

    public void Dispose()
    {
        // Nothing held outside managed memory.
    }

    private static InventoryNode ToInventory(NodeSighting node) => new()
    {
        MacAddress = node.MacAddress,
        Uuid = node.Uuid,
        Architecture = node.Architecture,
        HostName = node.HostName,
        LastIPAddress = node.IPAddress,
        LastServer = node.Server,
        FirstSeen = node.FirstSeen,
        LastSeen = node.LastSeen,
        InstalledAt = node.InstalledAt,
    };
}
