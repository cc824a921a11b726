using System.Collections.Concurrent;
using System.Net.Sockets;

namespace NodeFoundry.Http;

/// <summary>
/// Keeps the HTTP server's bulk sends under an egress budget (<see cref="HttpServerOptions.EgressBytesPerSecond"/>):
/// every connection sending a file body gets the kernel's per-socket pacing rate (SO_MAX_PACING_RATE, which turns on
/// TCP's internal pacing even without the fq qdisc) at an equal share of the budget. Unpaced, thousands of
/// downloads each burst a congestion window into the link's drop-tail queue; it overflows, and TFTP datagrams and
/// whole TCP windows are lost (docs/performance.md, boot storm run 10). The shares are recomputed by a timer, not per
/// response: re-pacing every socket on every arrival would be quadratic in the number of downloads. A new response
/// gets the current share at once; the timer lowers any rate above its share at once (<see cref="OverTolerance"/>)
/// and raises one only when it is well below (<see cref="UnderTolerance"/>). Linux only; <see cref="Create"/> returns null elsewhere and when no budget is set.
/// </summary>
internal sealed class EgressPacer : IDisposable
{
    /// <summary>No download is paced below this (bytes/s): a crawl would outlast the client's patience.</summary>
    public const long MinimumShare = 16 * 1024;

    /// <summary>How far a socket's rate may sit above its share before the timer lowers it (arrivals shrink every share).</summary>
    public const double OverTolerance = 0.01;

    /// <summary>How far a socket's rate may sit below its share before the timer raises it (departures grow every share).</summary>
    public const double UnderTolerance = 0.10;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly long _budget;
    private readonly ConcurrentDictionary<PacedSocket, byte> _active = new();
    private readonly ITimer _timer;
    private int _activeCount; // kept beside _active: its Count takes every bucket lock, and Begin runs per file response
    private int _ticking;

    private EgressPacer(long budget, TimeProvider time)
    {
        _budget = budget;
        _timer = time.CreateTimer(static s => ((EgressPacer)s!).Tick(), this, Period, Period);
    }

    /// <summary>A pacer for <paramref name="options"/>, or null when no budget is set or the system has no per-socket pacing.</summary>
    public static EgressPacer? Create(HttpServerOptions options, TimeProvider time) =>
        options.EgressBytesPerSecond is { } budget && OperatingSystem.IsLinux() ? new EgressPacer(budget, time) : null;

    /// <summary>Starts pacing a connection that is about to send a file body; pass the result to <see cref="End"/> when the body has gone.</summary>
    public PacedSocket Begin(Socket socket)
    {
        var paced = new PacedSocket(socket);
        _active.TryAdd(paced, 0);
        paced.Apply(PacingShare.Compute(_budget, Interlocked.Increment(ref _activeCount), MinimumShare));
        return paced;
    }

    /// <summary>Takes the response out of the budget and clears its socket's pacing (an idle keep-alive connection is not paced).</summary>
    public void End(PacedSocket paced)
    {
        if (_active.TryRemove(paced, out _))
        {
            Interlocked.Decrement(ref _activeCount);
        }

        paced.Release();
    }

    private void Tick()
    {
        // A slow pass (thousands of sockets on a loaded machine) must not overlap the next.
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            long share = PacingShare.Compute(_budget, Volatile.Read(ref _activeCount), MinimumShare);
            foreach (var paced in _active.Keys)
            {
                if (PacingShare.NeedsUpdate(paced.AppliedRate, share, OverTolerance, UnderTolerance))
                {
                    paced.Apply(share);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
