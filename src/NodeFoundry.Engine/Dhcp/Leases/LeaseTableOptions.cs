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

    /// <summary>
    /// Where in each pool (0 ≤ fraction &lt; 1 of its size) the scan for never-used addresses starts. 0 (lowest first)
    /// for one server; servers sharing a lease store pass different values so they do not race for the same addresses.
    /// </summary>
    public double ScanStartFraction { get; init; }

    /// <summary>Host names longer than this are cut (option 12 holds at most 255 bytes).</summary>
    public int MaxHostNameLength { get; init; } = 255;
}
