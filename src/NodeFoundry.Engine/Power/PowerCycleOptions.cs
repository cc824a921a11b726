namespace NodeFoundry.Power;

/// <summary>How a fleet power run paces itself, so a rack does not trip its breakers nor flood DHCP.</summary>
public sealed record PowerCycleOptions
{
    /// <summary>Nodes per wave; a wave starts only when the previous one has finished. 0 puts every node in one wave.</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>Least time between two power commands, across waves too (inrush current of a whole rack at once trips breakers).</summary>
    public TimeSpan Stagger { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most BMC sessions open at once (BMCs and the management network are slow; some BMCs allow few sessions).</summary>
    public int MaxConcurrentSessions { get; init; } = 16;

    /// <summary>
    /// Longest each node's own BMC work may take, once before its turn to power on (connect, read, set boot device)
    /// and once from its turn (power command, readback). Waiting for its turn does not count: the nodes before it
    /// are bounded by their own timeouts.
    /// </summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BatchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentSessions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Stagger, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(NodeTimeout, TimeSpan.Zero);
    }
}
