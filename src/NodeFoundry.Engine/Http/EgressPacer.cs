using System.Collections.Concurrent;
using System.Net.Sockets;

using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// Keeps everything the server sends under the link budget (<see cref="HttpServerOptions.EgressBytesPerSecond"/>, on
/// the wire) by pacing the one traffic that can wait: the HTTP file bodies. Every connection sending a body gets the
/// kernel's per-socket pacing rate (SO_MAX_PACING_RATE, which turns on TCP's internal pacing even without the fq
/// qdisc) at an equal share of what the budget leaves once the other engines' traffic is reserved. Unpaced, thousands
/// of downloads each burst a congestion window into the link's drop-tail queue; it overflows, and TFTP datagrams and
/// whole TCP windows are lost (docs/performance.md, boot storm run 10). TFTP is lock-step and a ROM gives up after one
/// 4 s timeout, so it is never the one to wait: its bytes (<see cref="IEgressMeter"/>, headers included) come out of
/// the budget first, and the downloads get the rest, in TCP payload (the kernel paces payload; a full frame carries
/// 1,448 of its 1,514 bytes).
/// The shares are recomputed by a timer, not per response: re-pacing every socket on every arrival would be quadratic
/// in the number of downloads. A new response gets its share, or what the applied rates leave of the budget but never
/// less than half its share (<see cref="ArrivalFloor"/>): a rate far under the share stalls the socket for seconds
/// (<see cref="PacedSocket"/>). An arrival that pushes the sum over the budget brings the next recomputation forward
/// (<see cref="RebalanceDelay"/>). A recomputation lowers any rate above the share (<see cref="OverTolerance"/>), by at
/// most <see cref="MaximumCut"/> a step, and raises one only when it is well below (<see cref="UnderTolerance"/>), and
/// only as far as the sum allows. A body that has been handed to the socket is not gone: the socket stays paced, and in
/// the budget, until its send queue is empty (<see cref="SocketSendQueue"/>); released when sendfile returned, the rest
/// of a 1 MiB kernel left at line rate. A new body on the same keep-alive connection takes over its pacing. Where the
/// server's interface is known, what it really sent corrects the sum once a second (<see cref="Correction"/>): the
/// kernel's per-socket pacing delivers a little under the rates set.
/// Linux only; <see cref="Create"/> returns null elsewhere and when no budget is set.
/// </summary>
internal sealed class EgressPacer : IDisposable
{
    /// <summary>No download is paced below this (bytes/s): a crawl would outlast the client's patience.</summary>
    public const long MinimumShare = 16 * 1024;

    /// <summary>How far a socket's rate may sit above its share before the timer lowers it (arrivals shrink every share).</summary>
    public const double OverTolerance = 0.01;

    /// <summary>
    /// How far a socket's rate may sit below its share before the timer raises it (departures and the end of TFTP's
    /// reservation grow every share). 10 % held the sum at ~900 of a 956 Mbit/s budget for a whole storm once TFTP's
    /// reservation had ended (boot storm run 12): each share had grown by 6 %, never enough to be raised.
    /// </summary>
    public const double UnderTolerance = 0.02;

    /// <summary>
    /// The least part of its share a new download starts at, whatever the others hold. The kernel charges each segment
    /// it sends at the rate in force, and a departure time once set is not pulled back by a higher rate later: with the
    /// old floor (<see cref="MinimumShare"/>, 16 KB/s) the first burst of a body, up to 64 KB, held the connection for
    /// up to 4 s, and the storm's last downloads waited on such gaps for 3–12 s (boot storm run 13).
    /// </summary>
    public const double ArrivalFloor = 0.5;

    /// <summary>
    /// The most a rate is divided by in one recomputation. The segment in flight was sized for about a millisecond at
    /// the old rate and is charged at the new one: a cut from the whole link to a 2,000th of it held a socket for a
    /// second; a quarter at a time costs a few milliseconds per step, a step every <see cref="RebalanceDelay"/>.
    /// </summary>
    public const long MaximumCut = 4;

    /// <summary>How soon after an arrival that put the sum over the budget, or a cut held to <see cref="MaximumCut"/>, the shares are recomputed.</summary>
    public static readonly TimeSpan RebalanceDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>The part of the budget the downloads keep however much the other engines send.</summary>
    public const double MinimumBulkFraction = 0.5;

    /// <summary>Bounds of <see cref="Correction"/>: the measured link may ask for at most 10 % more than the nominal sum, or 20 % less.</summary>
    public const double MaximumCorrection = 1.10;

    /// <inheritdoc cref="MaximumCorrection"/>
    public const double MinimumCorrection = 0.80;

    /// <summary>Ticks per correction window: the interface's counter is compared with the budget once a second.</summary>
    public const int CorrectionTicks = 10;

    /// <summary>How often the shares and the other engines' reservation are recomputed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly long _linkBudget;
    private readonly IReadOnlyList<IEgressMeter> _others;
    private readonly IEgressMeter? _link;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Socket, PacedSocket> _paced = new(); // active and draining, one per connection
    private readonly ITimer _timer;
    private readonly ITimer _rebalance; // one-shot, armed by an arrival over the budget
    private int _rebalanceArmed;
    private int _count; // kept beside _paced: its Count takes every bucket lock, and Begin runs per file response
    private long _appliedSum; // payload bytes/s applied to the sockets in _paced, kept exact by PacedSocket's changes
    private long _bulkBudget; // payload bytes/s the downloads may use now
    private long _reserved; // wire bytes/s kept for the other engines
    private long _lastOtherBytes;
    private long _lastTick;
    private int _ticking;
    private double _correction = 1.0;
    private int _windowTicks;
    private long _windowStart;
    private long _windowLinkBytes;
    private bool _pacedThroughWindow;

    private EgressPacer(long linkBudget, IReadOnlyList<IEgressMeter> others, IEgressMeter? link, TimeProvider time)
    {
        _linkBudget = linkBudget;
        _others = others;
        _link = link;
        _time = time;
        _bulkBudget = WireOverhead.TcpPayloadFor(linkBudget);
        _lastOtherBytes = OtherBytes();
        _lastTick = time.GetTimestamp();
        _windowStart = _lastTick;
        _windowLinkBytes = link?.WireBytesSent ?? 0;
        _timer = time.CreateTimer(static s => ((EgressPacer)s!).Tick(), this, Period, Period);
        _rebalance = time.CreateTimer(static s => ((EgressPacer)s!).Rebalance(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A pacer for <paramref name="options"/> that leaves room for what <paramref name="others"/> send and, given the
    /// interface's meter (<paramref name="link"/>), corrects its sum by what really left; null when no budget is set or
    /// the system has no per-socket pacing.
    /// </summary>
    public static EgressPacer? Create(HttpServerOptions options, TimeProvider time, IReadOnlyList<IEgressMeter>? others = null, IEgressMeter? link = null) =>
        options.EgressBytesPerSecond is { } budget && OperatingSystem.IsLinux() ? new EgressPacer(budget, others ?? [], link, time) : null;

    /// <summary>
    /// The factor on the downloads' budget from the interface's own count (1 without one): above 1 when the paced
    /// sockets together send less than their rates add up to, below 1 when the link carries more than the budget.
    /// </summary>
    public double Correction => Volatile.Read(ref _correction);

    /// <summary>Payload bytes/s the downloads may use now (the budget less the reservation, in TCP payload).</summary>
    public long BulkBudget => Volatile.Read(ref _bulkBudget);

    /// <summary>Wire bytes/s kept for the other engines now.</summary>
    public long Reserved => Volatile.Read(ref _reserved);

    /// <summary>The sum of the rates applied to the bodies in flight, payload bytes/s.</summary>
    public long AppliedSum => Interlocked.Read(ref _appliedSum);

    /// <summary>Connections in the budget: sending a body, or with one still leaving their send queue.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The pacer's state now, for the metrics endpoint (read without locks: each value is current, together they are near enough).</summary>
    public HttpPacingState State() => new(Count, BulkBudget, AppliedSum, Reserved, Correction);

    /// <summary>
    /// Starts pacing a connection that is about to send a file body; pass the result to <see cref="End"/> when the body
    /// has been handed over. A connection whose last body is still draining keeps its pacing.
    /// </summary>
    public PacedSocket Begin(Socket socket)
    {
        // Bounded: a retired entry is replaced once; a second race with the timer on the same socket is not possible
        // (only Begin adds, and the connection calls it once per response).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (_paced.TryGetValue(socket, out var existing))
            {
                if (existing.Reactivate())
                {
                    return existing;
                }

                Forget(existing); // the timer retired it just now: pace the socket afresh
                continue;
            }

            var paced = new PacedSocket(socket);
            if (!_paced.TryAdd(socket, paced))
            {
                continue;
            }

            var budget = BulkBudget;
            var share = PacingShare.Compute(budget, Interlocked.Increment(ref _count), MinimumShare);
            Apply(paced, PacingShare.ForArrival(share, budget - AppliedSum, ArrivalFloor, MinimumShare));
            if (AppliedSum > budget)
            {
                ArmRebalance();
            }

            return paced;
        }

        // Not reached in practice. Paced at the floor outside the map: in the sum until End, never in the count.
        var untracked = new PacedSocket(socket);
        Apply(untracked, MinimumShare);
        return untracked;
    }

    /// <summary>
    /// The body has been handed to the socket. Nothing left unsent: the socket leaves the budget now (keeping its rate,
    /// see <see cref="PacedSocket"/>). Otherwise it stays in the budget until the timer finds the queue empty.
    /// </summary>
    public void End(PacedSocket paced)
    {
        paced.StartDraining();
        if (SocketSendQueue.Unsent(paced.Socket) is null or <= 0)
        {
            Finish(paced);
        }
    }

    /// <summary>One recomputation with a new measurement: the periodic timer's callback, and the tests' way to step the pacer.</summary>
    internal void Tick() => Recompute(measure: true);

    /// <summary>
    /// The shares recomputed within the current budget, without a new measurement: what an arrival over the budget
    /// brings forward (<see cref="RebalanceDelay"/>). Also the tests' way to fire that timer.
    /// </summary>
    internal void Rebalance()
    {
        Volatile.Write(ref _rebalanceArmed, 0);
        Recompute(measure: false);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _rebalance.Dispose();
    }

    /// <summary>
    /// One pass over the paced sockets. With <paramref name="measure"/>: TFTP's reservation, drained sockets, the
    /// interface's correction and so the budget first. A pass never overlaps another (thousands of sockets on a loaded
    /// machine); one that finds another running leaves the shares to it.
    /// </summary>
    private void Recompute(bool measure)
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            Share(measure ? Measure() : BulkBudget);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    /// <summary>The periodic part of a pass: what TFTP sent, which drained sockets left, the correction; returns the new budget.</summary>
    private long Measure()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastTick, now);
        var otherBytes = OtherBytes();
        if (elapsed > TimeSpan.Zero)
        {
            var otherRate = (long)((otherBytes - _lastOtherBytes) / elapsed.TotalSeconds);
            Volatile.Write(ref _reserved, PacingShare.Reserve(_reserved, otherRate));
            _lastOtherBytes = otherBytes;
            _lastTick = now;
        }

        foreach (var paced in _paced.Values)
        {
            if (paced.Draining && SocketSendQueue.Unsent(paced.Socket) is null or <= 0)
            {
                Finish(paced);
            }
        }

        Recalibrate(now);
        var budget = (long)(WireOverhead.TcpPayloadFor(PacingShare.BulkBudget(_linkBudget, _reserved, MinimumBulkFraction)) * Correction);
        Volatile.Write(ref _bulkBudget, budget);
        return budget;
    }

    /// <summary>Every rate to an equal share of <paramref name="budget"/>: the ones over it lowered, then the ones well under it raised into what that freed.</summary>
    private void Share(long budget)
    {
        var share = PacingShare.Compute(budget, Count, MinimumShare);

        // Lower first: what that frees is what the raises may use. A cut goes at most MaximumCut at a time, and the
        // next one follows RebalanceDelay later.
        var cutShort = false;
        foreach (var paced in _paced.Values)
        {
            var applied = paced.AppliedRate;
            if (applied <= 0 || PacingShare.IsOver(applied, share, OverTolerance))
            {
                var lowered = PacingShare.Lower(applied, share, MaximumCut);
                cutShort |= Apply(paced, lowered) && lowered > share; // a socket that is gone is not waited for
            }
        }

        if (cutShort)
        {
            ArmRebalance();
        }

        // Then raise: every rate is now at most 1 % over its share or on its way down, so only those well under need a
        // call, and only into what the sum leaves.
        foreach (var paced in _paced.Values)
        {
            var applied = paced.AppliedRate;
            if (PacingShare.IsUnder(applied, share, UnderTolerance))
            {
                var raised = PacingShare.Raise(applied, share, budget - AppliedSum);
                if (raised > applied)
                {
                    Apply(paced, raised);
                }
            }
        }
    }

    private bool Apply(PacedSocket paced, long rate)
    {
        if (!paced.Apply(rate, out var change))
        {
            return false;
        }

        Interlocked.Add(ref _appliedSum, change);
        return true;
    }

    /// <summary>Brings the next recomputation forward to <see cref="RebalanceDelay"/> from now, once until it has run.</summary>
    private void ArmRebalance()
    {
        if (Interlocked.Exchange(ref _rebalanceArmed, 1) == 1)
        {
            return;
        }

        _rebalance.Change(RebalanceDelay, Timeout.InfiniteTimeSpan); // false, not a throw, once the pacer is disposed
    }

    /// <summary>
    /// Once a window: compares what the interface sent with the budget, but only over a window in which downloads were
    /// paced at every tick (an idle or half-idle link says nothing about the pacing). Idle: back to the nominal sum.
    /// </summary>
    private void Recalibrate(long now)
    {
        if (_link is null)
        {
            return;
        }

        _pacedThroughWindow &= Count > 0;
        if (++_windowTicks < CorrectionTicks)
        {
            return;
        }

        var linkBytes = _link.WireBytesSent;
        var seconds = _time.GetElapsedTime(_windowStart, now).TotalSeconds;
        if (_pacedThroughWindow && seconds > 0)
        {
            var measured = (long)((linkBytes - _windowLinkBytes) / seconds);
            Volatile.Write(ref _correction, PacingShare.Correct(_correction, _linkBudget, measured, MinimumCorrection, MaximumCorrection));
        }
        else if (Count == 0)
        {
            Volatile.Write(ref _correction, 1.0);
        }

        _windowTicks = 0;
        _windowStart = now;
        _windowLinkBytes = linkBytes;
        _pacedThroughWindow = Count > 0;
    }

    /// <summary>Retires a drained socket (unless a new body took it over meanwhile): out of the budget, at its last rate.</summary>
    private void Finish(PacedSocket paced)
    {
        if (paced.RetireIfDraining() is { } gave)
        {
            Interlocked.Add(ref _appliedSum, -gave);
            Forget(paced);
        }
    }

    private void Forget(PacedSocket paced)
    {
        // Whoever removes the entry counts it out, so a race between the timer and Begin counts it once.
        if (_paced.TryRemove(new KeyValuePair<Socket, PacedSocket>(paced.Socket, paced)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private long OtherBytes()
    {
        long sum = 0;
        foreach (var meter in _others)
        {
            sum += meter.WireBytesSent;
        }

        return sum;
    }
}
