using NodeFoundry.Fleet;

namespace NodeFoundry.Timeline;

/// <summary>Bounds and classification for <see cref="BootTimeline"/>.</summary>
public sealed record BootTimelineOptions
{
    /// <summary>
    /// Most nodes tracked at once. Past it the node whose last event is oldest is forgotten (with its
    /// address bindings), so a long-running server's memory stays bounded whatever MACs it sees; a waiter
    /// that already counted that node keeps it.
    /// </summary>
    public int MaxNodes { get; init; } = 10_000;

    /// <summary>
    /// Most TFTP/HTTP events held for an address DHCP has not (yet) named: the engines run concurrently and
    /// an ACK is published after its journal flush, so a transfer may be reported before the lease that
    /// explains it. Past the cap the oldest is dropped.
    /// </summary>
    public int MaxPendingEvents { get; init; } = 1024;

    /// <summary>How long a held event waits for its lease before it is dropped.</summary>
    public TimeSpan PendingLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Classifies HTTP paths; from the fleet when it is known (<see cref="ForFleet"/>), else by conventions.</summary>
    public HttpArtifactClassifier Classifier { get; init; } = new();

    /// <summary>Gives nodes their fleet names; null uses the host name DHCP reported.</summary>
    public FleetConfig? Fleet { get; init; }

    /// <summary>Options for a fleet: its profiles' kernel/initrd paths, loaders and node names.</summary>
    public static BootTimelineOptions ForFleet(FleetConfig fleet) => new() { Classifier = new HttpArtifactClassifier(fleet), Fleet = fleet };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingEvents, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PendingLifetime, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(Classifier);
    }
}
