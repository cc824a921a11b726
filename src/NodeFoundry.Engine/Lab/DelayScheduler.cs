using System.Diagnostics;

namespace NodeFoundry.Lab;

/// <summary>
/// Runs actions at given <see cref="Stopwatch"/> timestamps on one dedicated thread, in due order and, for
/// equal due times, in the order they were scheduled. Long waits sleep on a monitor; the last ~1.5 ms is
/// spent yielding, so sub-millisecond delays are kept to within tens of microseconds instead of the
/// several milliseconds a timer hop costs. Bounded: at most <c>capacity</c> actions wait at once.
/// </summary>
internal sealed class DelayScheduler : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency * 3 / 2000; // 1.5 ms

    private readonly PriorityQueue<Action, (long Due, long Sequence)> _queue = new();
    private readonly object _lock = new();
    private readonly int _capacity;
    private readonly Thread _thread;
    private long _sequence;
    private bool _stopped;

    public DelayScheduler(int capacity, string name)
    {
        _capacity = capacity;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="action"/> for <paramref name="due"/>; false when full or stopped (the caller drops it).</summary>
    public bool TrySchedule(long due, Action action)
    {
        lock (_lock)
        {
            if (_stopped || _queue.Count >= _capacity)
            {
                return false;
            }

            _queue.Enqueue(action, (due, _sequence++));
            Monitor.Pulse(_lock);
            return true;
        }
    }

    private void Run()
    {
        while (true)
        {
            Action? action = null;
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }

                if (!_queue.TryPeek(out _, out var next))
                {
                    Monitor.Wait(_lock, 100);
                    continue;
                }

                var remaining = next.Due - Stopwatch.GetTimestamp();
                if (remaining > SpinTicks)
                {
                    // Sleep until about 1 ms before it is due; an earlier arrival pulses us awake.
                    Monitor.Wait(_lock, (int)Math.Max(1, ((remaining - SpinTicks) * 1000 / Stopwatch.Frequency) + 1));
                    continue;
                }

                if (remaining <= 0)
                {
                    action = _queue.Dequeue();
                }
            }

            if (action is null)
            {
                Thread.Yield();
                continue;
            }

            try
            {
                action();
            }
            catch (Exception)
            {
                // An action reports its own failures; none may end the scheduler.
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            _queue.Clear();
            Monitor.PulseAll(_lock);
        }

        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
