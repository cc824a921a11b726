namespace NodeFoundry.Simulation;

/// <summary>
/// How long a DHCP client waits for an answer before it sends again, message by message. Firmware (the PXE
/// specification) waits 4, 8, 16 and 32 s; iPXE 1, 2, 4 and 8 s (design.md §4). After the last wait the client
/// gives up: that is a failed boot.
/// </summary>
public sealed record DhcpRetransmitSchedule(IReadOnlyList<TimeSpan> Waits)
{
    /// <summary>PXE firmware: DISCOVER or REQUEST at 0, 4, 12, 28 s; nothing by 60 s is a failure.</summary>
    public static DhcpRetransmitSchedule Pxe { get; } = FromSeconds(4, 8, 16, 32);

    /// <summary>iPXE: at 0, 1, 3, 7 s; nothing by 15 s is a failure.</summary>
    public static DhcpRetransmitSchedule Ipxe { get; } = FromSeconds(1, 2, 4, 8);

    /// <summary>From the first send to giving up.</summary>
    public TimeSpan Total => Waits.Aggregate(TimeSpan.Zero, (sum, wait) => sum + wait);

    public static DhcpRetransmitSchedule FromSeconds(params double[] seconds) =>
        new(seconds.Select(TimeSpan.FromSeconds).ToArray());

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Waits);
        if (Waits.Count == 0 || Waits.Any(w => w <= TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(Waits), "a retransmit schedule needs at least one wait, each positive");
        }
    }
}
