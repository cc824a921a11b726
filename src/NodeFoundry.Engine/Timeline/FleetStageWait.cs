using System.Net.NetworkInformation;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Timeline;

/// <summary>
/// Waits until nodes reach a boot stage on any server of a fleet sharing a store. A server's own
/// <see cref="BootTimeline"/> is pushed to (its waiters complete on the event), but another server's progress only
/// shows in the shared store, so this reads the fleet-wide view every <c>pollInterval</c>: a store of a few thousand
/// nodes is one indexed read a poll, and a wait for an installation takes minutes, not seconds. The result and the
/// timeout's <see cref="BootStageTimeoutException"/> are those of <see cref="BootTimeline.WaitForStageAsync(BootStage, int, TimeSpan, CancellationToken)"/>.
/// </summary>
public static class FleetStageWait
{
    /// <summary>How often the shared store is read while waiting.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <param name="read">The fleet-wide timelines (such as <see cref="Hosting.BootStack.ReadFleetTimelines"/>); a read that throws
    /// <see cref="BootEventStoreUnavailableException"/> is tried again at the next poll, and named if the wait times out.</param>
    /// <param name="count">Nodes to wait for when <paramref name="macAddresses"/> is null.</param>
    /// <param name="macAddresses">The nodes to wait for, each of them; null: any <paramref name="count"/> nodes.</param>
    public static async Task<IReadOnlyList<NodeBootTimeline>> WaitAsync(
        Func<IReadOnlyList<NodeBootTimeline>> read,
        BootStage stage,
        int count,
        IReadOnlyCollection<PhysicalAddress>? macAddresses,
        TimeSpan timeout,
        TimeSpan pollInterval,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        time ??= TimeProvider.System;
        var macs = macAddresses is null ? null : new HashSet<PhysicalAddress>(macAddresses);
        if (macs is { Count: 0 })
        {
            return [];
        }

        int wanted = macs?.Count ?? count;
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1, nameof(count));
        DateTimeOffset deadline = time.GetUtcNow() + timeout;
        IReadOnlyList<NodeBootTimeline> seen = [];
        string? lastError = null;
        while (true)
        {
            try
            {
                seen = read();
                lastError = null;
            }
            catch (BootEventStoreUnavailableException ex)
            {
                // The store is down for now: its outage is reported elsewhere; the wait goes on with what it last saw.
                lastError = ex.Message;
            }

            var reached = seen.Where(t => t.Stage >= stage && (macs is null || macs.Contains(t.MacAddress))).ToList();
            if (reached.Count >= wanted)
            {
                return macs is null ? [.. reached.OrderBy(t => t.Reached.TryGetValue(stage, out var at) ? at : t.LastSeen).Take(wanted)] : reached;
            }

            TimeSpan left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw Timeout(stage, wanted, timeout, seen, reached, macs, lastError);
            }

            await Task.Delay(left < pollInterval ? left : pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static BootStageTimeoutException Timeout(BootStage stage, int wanted, TimeSpan timeout, IReadOnlyList<NodeBootTimeline> seen, List<NodeBootTimeline> reached, HashSet<PhysicalAddress>? macs, string? lastError)
    {
        var done = reached.Select(t => t.MacAddress).ToHashSet();
        var known = seen.ToDictionary(t => t.MacAddress);
        List<NodeBootTimeline> missing = macs is null
            ? [.. seen.Where(t => !done.Contains(t.MacAddress))]
            : [.. macs.Where(m => !done.Contains(m)).Select(m => known.TryGetValue(m, out var t) ? t : NotSeen(m))];
        string names = missing.Count == 0 ? "(none tracked)" : string.Join(", ", missing.Select(m => $"{m.NodeName ?? MacAddressText.Format(m.MacAddress)} at {m.Stage}"));
        string store = lastError is null ? string.Empty : $"; the shared store could not be read at the last try: {lastError}";
        return new BootStageTimeoutException($"{reached.Count} of {wanted} node(s) reached {stage} within {timeout}; missing: {names}{store}", stage, reached, missing);
    }

    private static NodeBootTimeline NotSeen(PhysicalAddress mac) => new()
    {
        MacAddress = mac,
        Stage = BootStage.None,
        Reached = new Dictionary<BootStage, DateTimeOffset>(),
    };
}
