using System.Net.NetworkInformation;

namespace NodeFoundry.Timeline;

/// <summary>One pending <see cref="BootTimeline.WaitForStageAsync(BootStage, int, TimeSpan, CancellationToken)"/>: the nodes it has counted so far (guarded by the timeline's lock).</summary>
internal sealed class BootStageWaiter(BootStage stage, int count, HashSet<PhysicalAddress>? macs)
{
    private readonly Dictionary<PhysicalAddress, NodeBootTimeline> _reached = [];

    public BootStage Stage { get; } = stage;

    public int Count { get; } = count;

    public HashSet<PhysicalAddress>? Macs { get; } = macs;

    public TaskCompletionSource<IReadOnlyList<NodeBootTimeline>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Has(PhysicalAddress mac) => _reached.ContainsKey(mac);

    public IReadOnlyList<NodeBootTimeline> Result() => [.. _reached.Values];

    public void Offer(NodeBootState node) => Offer(node, null);

    /// <summary>Counts the node if it qualifies; true when this completed the wait.</summary>
    public bool Offer(NodeBootState node, NodeBootTimeline? snapshot)
    {
        if (node.Stage < Stage || (Macs is not null && !Macs.Contains(node.Mac)) || _reached.ContainsKey(node.Mac) || Completion.Task.IsCompleted)
        {
            return false;
        }

        _reached[node.Mac] = snapshot ?? node.ToSnapshot();
        if (_reached.Count < Count)
        {
            return false;
        }

        Completion.TrySetResult(Result());
        return true;
    }
}
