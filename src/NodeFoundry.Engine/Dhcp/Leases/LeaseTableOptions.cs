namespace NodeFoundry.Dhcp.Leases;

/// <summary>Tuning for <see cref="LeaseTable"/>.</summary>
public sealed class LeaseTableOptions
{
    /// <summary>How long an offered address stays held for the client (in memory only).</summary>
    public TimeSpan OfferHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a declined address is kept out of allocation.</summary>
    public TimeSpan DeclineQuarantine { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The journal is never compacted while it holds fewer records than this.</summary>
    public long CompactAfterRecords { get; init; } = 10_000;

    /// <summary>Compaction is due when the journal holds more than this many times the live records.</summary>
    public int CompactRatio { get; init; } = 4;

    /// <summary>Host names longer than this are cut (option 12 holds at most 255 bytes).</summary>
    public int MaxHostNameLength { get; init; } = 255;
}
