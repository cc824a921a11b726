namespace NodeFoundry.Lab;

/// <summary>
/// What the relay does to datagrams travelling one way. Percentages are 0–100. A datagram is first
/// either lost or kept; a kept one may be duplicated (the copy follows it); each copy may be held back
/// by <see cref="ReorderHold"/> so that later datagrams overtake it; every copy is delayed by
/// <see cref="Delay"/>.
/// </summary>
public sealed record UdpImpairment
{
    /// <summary>Passes everything through untouched.</summary>
    public static UdpImpairment None { get; } = new();

    public double LossPercent { get; init; }

    public double DuplicatePercent { get; init; }

    /// <summary>Share of copies held back by <see cref="ReorderHold"/> (later datagrams pass them).</summary>
    public double ReorderPercent { get; init; }

    public TimeSpan ReorderHold { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Added to every copy (a fixed one-way latency).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Loss and duplication only: the usual lab setting (e.g. 1% and 1%).</summary>
    public static UdpImpairment LossAndDuplication(double lossPercent, double duplicatePercent) =>
        new() { LossPercent = lossPercent, DuplicatePercent = duplicatePercent };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a percentage outside 0–100 or a negative time.</summary>
    public void Validate()
    {
        Percent(LossPercent, nameof(LossPercent));
        Percent(DuplicatePercent, nameof(DuplicatePercent));
        Percent(ReorderPercent, nameof(ReorderPercent));
        if (ReorderHold < TimeSpan.Zero || Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), "Delays cannot be negative.");
        }
    }

    /// <summary>
    /// Decides the fate of one datagram: no copies (lost), one or two, each with the delay to send it
    /// after. Pure over <paramref name="random"/>: the same seed gives the same decisions.
    /// </summary>
    public UdpImpairmentDecision Decide(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);

        // Draw the same number of values whatever the outcome, so one decision never shifts the next.
        var lost = random.NextDouble() * 100 < LossPercent;
        var duplicated = random.NextDouble() * 100 < DuplicatePercent;
        var holdFirst = random.NextDouble() * 100 < ReorderPercent;
        var holdSecond = random.NextDouble() * 100 < ReorderPercent;
        if (lost)
        {
            return UdpImpairmentDecision.Lost;
        }

        var first = Delay + (holdFirst ? ReorderHold : TimeSpan.Zero);
        if (!duplicated)
        {
            return new UdpImpairmentDecision(1, first, TimeSpan.Zero, holdFirst);
        }

        var second = Delay + (holdSecond ? ReorderHold : TimeSpan.Zero);
        return new UdpImpairmentDecision(2, first, second, holdFirst || holdSecond);
    }

    private static void Percent(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
        {
            throw new ArgumentOutOfRangeException(name, value, "A percentage is 0–100.");
        }
    }
}

/// <summary>The fate of one datagram: how many copies go out (0 = lost) and after how long each.</summary>
public readonly record struct UdpImpairmentDecision(int Copies, TimeSpan FirstDelay, TimeSpan SecondDelay, bool Reordered)
{
    public static UdpImpairmentDecision Lost => new(0, TimeSpan.Zero, TimeSpan.Zero, false);
}
