using System.Net.NetworkInformation;

namespace NodeFoundry.Storage;

/// <summary>
/// Where servers keep the fleet's boot events and inventory: <see cref="MemoryBootEventStore"/> (one process, bounded)
/// or the PostgreSQL store several servers share (the NodeFoundry.Postgres adapter, opened
/// through <see cref="IPostgresBootEventStoreFactory"/>). Servers write through a <see cref="BootEventRecorder"/>,
/// never from a packet loop. Implementations are thread-safe.
/// </summary>
public interface IBootEventStore : IDisposable
{
    /// <summary>What the store is, for logs (never a password).</summary>
    string Description { get; }

    /// <summary>
    /// Appends <paramref name="events"/> and merges <paramref name="sightings"/> into the inventory, all or nothing
    /// (one transaction). Throws <see cref="BootEventStoreUnavailableException"/> when the store cannot be reached;
    /// nothing of the batch is then written.
    /// </summary>
    void Write(IReadOnlyList<BootEventRecord> events, IReadOnlyList<NodeSighting> sightings);

    /// <summary>Every server's events, of one node or of all (<paramref name="macAddress"/> null), oldest first.</summary>
    IReadOnlyList<BootEventRecord> ReadEvents(PhysicalAddress? macAddress = null);

    /// <summary>The inventory: one row per node any server has seen, in MAC order.</summary>
    IReadOnlyList<InventoryNode> ReadNodes();

    /// <summary>
    /// Deletes events older than <paramref name="before"/> (every server's: retention is the fleet's), oldest first, at
    /// most <paramref name="maxEvents"/>; returns how many went. The inventory is kept: it is one row per node, and a
    /// node's row is what an operator asks for long after its events are gone. Throws
    /// <see cref="BootEventStoreUnavailableException"/> when the store cannot be reached.
    /// </summary>
    int PruneEvents(DateTimeOffset before, int maxEvents);
}
