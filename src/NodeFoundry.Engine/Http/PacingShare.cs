namespace NodeFoundry.Http;

/// <summary>
/// The arithmetic of <see cref="EgressPacer"/>, kept pure so it is tested without sockets or clocks: an equal share of
/// the budget per file body in flight, and whether a socket's applied rate is far enough from it to be worth a
/// setsockopt (each is a system call; with thousands of downloads, re-pacing every socket on every tick would cost
/// more than it saves).
/// </summary>
internal static class PacingShare
{
    /// <summary>
    /// The budget divided among <paramref name="active"/> responses, never below <paramref name="minimum"/>: with more
    /// downloads than the budget can feed at the minimum, the link's queue takes the excess rather than a download
    /// crawling so slowly that its client gives up. No active responses: the whole budget (what the next one gets).
    /// </summary>
    public static long Compute(long budget, int active, long minimum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        ArgumentOutOfRangeException.ThrowIfNegative(active);
        long share = active <= 1 ? budget : budget / active;
        return Math.Max(share, minimum);
    }

    /// <summary>
    /// True when <paramref name="applied"/> (0 = never set) is above <paramref name="target"/> by more than
    /// <paramref name="overTolerance"/> of it, or below by more than <paramref name="underTolerance"/>. Lowering is
    /// urgent and raising is not: while downloads keep arriving, shares shrink a little every tick, and a symmetric
    /// 10 % let every socket run up to 10 % over its share (the storm bench's link at 110 % of the budget, its
    /// queue full, TFTP dropped); a share that grew can wait for a larger change.
    /// </summary>
    public static bool NeedsUpdate(long applied, long target, double overTolerance, double underTolerance)
    {
        if (applied <= 0)
        {
            return true;
        }

        return applied > target * (1 + overTolerance) || applied < target * (1 - underTolerance);
    }
}
