namespace NodeFoundry.Http;

/// <summary>
/// The arithmetic of <see cref="EgressPacer"/>, kept pure so it is tested without sockets or clocks: what the link
/// budget leaves for the bulk downloads once the other engines' traffic is reserved, an equal share of that per file
/// body in flight, how far a newcomer or a raise may go while the sum of the rates stays inside it, and whether a
/// socket's applied rate is far enough from its share to be worth a setsockopt (each is a system call; with thousands
/// of downloads, re-pacing every socket on every tick would cost more than it saves).
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
    /// The wire bytes/s to keep for the other engines (TFTP) over the next period: their rate over the last one, or
    /// half of the previous reservation if that is more. TFTP is lock-step and bursty at the scale of a period; a
    /// reservation that vanished in the first quiet 100 ms would hand its room to the downloads just before the next
    /// burst of blocks finds the link's queue full.
    /// </summary>
    public static long Reserve(long previousReservation, long otherRate) =>
        Math.Max(Math.Max(otherRate, 0), previousReservation / 2);

    /// <summary>
    /// What the bulk downloads may send, on the wire, out of <paramref name="linkBudget"/> once
    /// <paramref name="reserved"/> is kept for the other engines — never less than <paramref name="minimumFraction"/> of
    /// the budget, so a misbehaving or windowed TFTP flood cannot starve every download at once.
    /// </summary>
    public static long BulkBudget(long linkBudget, long reserved, double minimumFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linkBudget);
        return Math.Max(linkBudget - Math.Max(reserved, 0), (long)(linkBudget * minimumFraction));
    }

    /// <summary>
    /// The next correction factor for the downloads' budget, from what the interface really sent
    /// (<paramref name="measured"/>) against <paramref name="target"/> (both wire bytes/s over the same window): the
    /// square root of the ratio, damped so one noisy second cannot swing it, and kept within
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>]. No measurement (0): unchanged.
    /// </summary>
    public static double Correct(double factor, long target, long measured, double minimum, double maximum)
    {
        if (measured <= 0 || target <= 0)
        {
            return factor;
        }

        return Math.Clamp(factor * Math.Sqrt((double)target / measured), minimum, maximum);
    }

    /// <summary>
    /// The rate a new download starts at: its share, but no more than what the rates already applied leave of the
    /// budget (the others are lowered at the next recomputation, not at each arrival; without this a burst of arrivals
    /// put the sum at several times the budget), and never below <paramref name="floor"/> of its share or below
    /// <paramref name="minimum"/>: a socket paced far under its share is held for seconds by the first segment the
    /// kernel charges at that rate (<see cref="EgressPacer.ArrivalFloor"/>).
    /// </summary>
    public static long ForArrival(long share, long available, double floor, long minimum) =>
        Math.Max(Math.Max(minimum, (long)(share * floor)), Math.Min(share, available));

    /// <summary>
    /// How far a download above its share is lowered: to the share, but to no less than a
    /// <paramref name="maximumCut"/>th of its rate in one step (<see cref="EgressPacer.MaximumCut"/>). Never set: the share.
    /// </summary>
    public static long Lower(long applied, long share, long maximumCut) =>
        applied <= 0 ? share : Math.Min(applied, Math.Max(share, applied / maximumCut));

    /// <summary>
    /// How far a download below its share is raised: to the share, or as far as <paramref name="available"/> (the
    /// budget less the rates applied) allows; never lowered here.
    /// </summary>
    public static long Raise(long applied, long share, long available) =>
        Math.Max(applied, Math.Min(share, applied + Math.Max(available, 0)));

    /// <summary>
    /// True when <paramref name="applied"/> is above <paramref name="target"/> by more than <paramref name="overTolerance"/>
    /// of it. Lowering is urgent and raising is not (<see cref="IsUnder"/> takes a wider tolerance): while downloads keep
    /// arriving, shares shrink a little every tick, and a symmetric 10 % let every socket run up to 10 % over its share
    /// (the storm bench's link at 110 % of the budget, its queue full, TFTP dropped); a share that grew can wait for a
    /// larger change.
    /// </summary>
    public static bool IsOver(long applied, long target, double overTolerance) => applied > target * (1 + overTolerance);

    /// <summary>True when <paramref name="applied"/> is below <paramref name="target"/> by more than <paramref name="underTolerance"/> of it.</summary>
    public static bool IsUnder(long applied, long target, double underTolerance) => applied < target * (1 - underTolerance);
}
