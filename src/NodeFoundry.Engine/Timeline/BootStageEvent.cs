using NodeFoundry.Events;

namespace NodeFoundry.Timeline;

/// <summary>
/// A node reached a stage it had not reached before (in this boot attempt). Published by
/// <see cref="BootTimeline"/> to the sink it wraps, after the event that caused it.
/// </summary>
public sealed record BootStageEvent : BootEvent
{
    public override string Source => "timeline";

    public required BootStage Stage { get; init; }

    /// <summary>The stage the node was at before.</summary>
    public BootStage Previous { get; init; }

    public string? NodeName { get; init; }

    /// <summary>What caused it, such as <c>tftp undionly.kpxe</c> or <c>http GET /boot/52:54:00:00:00:01.ipxe</c>.</summary>
    public string? Cause { get; init; }

    /// <summary>The node's timeline right after this stage was reached.</summary>
    public required NodeBootTimeline Timeline { get; init; }
}
