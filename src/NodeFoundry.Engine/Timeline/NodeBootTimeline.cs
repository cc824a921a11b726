using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;

namespace NodeFoundry.Timeline;

/// <summary>
/// One node's boot so far, as a snapshot: when it reached each stage and where it is now. Snapshots do
/// not change; ask <see cref="BootTimeline"/> again for a newer one.
/// </summary>
public sealed record NodeBootTimeline
{
    /// <summary>The node's boot MAC, the key of the timeline.</summary>
    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>The node's name in the fleet file, or the host name DHCP saw, when known.</summary>
    public string? NodeName { get; init; }

    /// <summary>The address it was last given by DHCP.</summary>
    public IPAddress? IPAddress { get; init; }

    /// <summary>The firmware its first DHCP of this boot announced (option 93).</summary>
    public FirmwareKind Firmware { get; init; }

    /// <summary>The highest stage reached.</summary>
    public required BootStage Stage { get; init; }

    /// <summary>
    /// The earliest time each reached stage was observed. Stages skipped or never seen are absent; a
    /// duplicate or late event never moves a stage later.
    /// </summary>
    public required IReadOnlyDictionary<BootStage, DateTimeOffset> Reached { get; init; }

    /// <summary>How many boots of this node the timeline has seen (a new firmware DHCP after Installed starts another).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>When the last event of this node was observed.</summary>
    public DateTimeOffset LastSeen { get; init; }

    /// <summary>The time <paramref name="stage"/> was reached, or null.</summary>
    public DateTimeOffset? At(BootStage stage) => Reached.TryGetValue(stage, out var at) ? at : null;

    /// <summary>True when the node has reached <paramref name="stage"/> or any later one.</summary>
    public bool HasReached(BootStage stage) => Stage >= stage;

    /// <summary>From the first observed stage to the current one.</summary>
    public TimeSpan Elapsed => Reached.Count == 0 ? TimeSpan.Zero : Reached.Values.Max() - Reached.Values.Min();
}
