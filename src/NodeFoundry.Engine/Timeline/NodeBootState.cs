using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;

namespace NodeFoundry.Timeline;

/// <summary>One tracked node inside <see cref="BootTimeline"/> (mutable, guarded by its lock); <see cref="ToSnapshot"/> gives the public view.</summary>
internal sealed class NodeBootState
{
    public NodeBootState(PhysicalAddress mac)
    {
        Mac = mac;
        Recency = new LinkedListNode<NodeBootState>(this);
    }

    public PhysicalAddress Mac { get; }

    public LinkedListNode<NodeBootState> Recency { get; }

    public string? Name { get; set; }

    public IPAddress? Address { get; set; }

    public List<IPAddress> Addresses { get; } = [];

    public FirmwareKind Firmware { get; set; }

    public BootStage Stage { get; set; }

    public Dictionary<BootStage, DateTimeOffset> Reached { get; } = [];

    public int Attempt { get; private set; } = 1;

    public DateTimeOffset LastSeen { get; set; }

    public void StartOver()
    {
        Reached.Clear();
        Stage = BootStage.None;
        Firmware = FirmwareKind.Unknown;
        Attempt++;
    }

    public NodeBootTimeline ToSnapshot() => new()
    {
        MacAddress = Mac,
        NodeName = Name,
        IPAddress = Address,
        Firmware = Firmware,
        Stage = Stage,
        Reached = new Dictionary<BootStage, DateTimeOffset>(Reached).AsReadOnly(),
        Attempt = Attempt,
        LastSeen = LastSeen,
    };
}
