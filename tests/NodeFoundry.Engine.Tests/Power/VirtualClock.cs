namespace NodeFoundry.Tests.Power;

/// <summary>
/// A fake clock with timers, so waits are checked by what was asked for, never by wall time. A timer due within
/// <see cref="AutoAdvanceLimit"/> (a stagger, a poll pause) moves the clock forward to its due time and fires at once:
/// code that sleeps then acts runs instantly, and the clock reads exactly the sum of the pauses it asked for.
/// Longer timers (per-node timeouts) fire only when the test calls <see cref="Advance"/> past them.
/// </summary>
internal sealed class VirtualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public TimeSpan AutoAdvanceLimit { get; init; } = TimeSpan.FromMinutes(1);

    public DateTimeOffset Start { get; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Every auto-advanced pause, in the order they were asked for.</summary>
    public List<TimeSpan> Pauses { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        List<VirtualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = [.. _timers.Where(t => t.Due <= _now)];
            foreach (VirtualTimer timer in due)
            {
                _timers.Remove(timer);
            }
        }

        foreach (VirtualTimer timer in due)
        {
            timer.Fire();
        }
    }

    private void Schedule(VirtualTimer timer, TimeSpan dueTime)
    {
        bool fireNow = false;
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            if (dueTime <= AutoAdvanceLimit)
            {
                // Serialized by the lock: concurrent pauses add up, they never overlap.
                Pauses.Add(dueTime);
                _now += dueTime;
                fireNow = true;
            }
            else
            {
                timer.Due = _now + dueTime;
                _timers.Add(timer);
            }
        }

        if (fireNow)
        {
            // Never inside CreateTimer's caller: Task.Delay stores the timer after CreateTimer returns.
            ThreadPool.QueueUserWorkItem(_ => timer.Fire());
        }
    }

    private void Cancel(VirtualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private int _disposed;

        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // Periodic timers are not needed by the code under test; only the first due time is honoured.
            if (Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }

            clock.Schedule(this, dueTime);
            return true;
        }

        public void Fire()
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref _disposed, 1);
            clock.Cancel(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
