namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// The bounded-output policy of boot jobs: a list holds at most <c>capacity</c> undelivered items;
/// when full, the oldest are discarded so the newest are always available to Receive-Job.
/// </summary>
/// <remarks>
/// Correct when one thread adds (the job's pump) and any number of threads only remove (Receive-Job
/// drains the collection): the trim happens under the collection's own lock and nobody else can make
/// it grow before the add that follows.
/// </remarks>
internal static class NewestWindow
{
    /// <returns>How many of the oldest items were discarded to make room.</returns>
    public static int Add<T>(IList<T> items, object syncRoot, T item, int capacity)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(syncRoot);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);

        int discarded = 0;
        lock (syncRoot)
        {
            while (items.Count >= capacity)
            {
                items.RemoveAt(0);
                discarded++;
            }
        }

        items.Add(item);
        return discarded;
    }
}
