using System.Collections.Concurrent;
using System.Diagnostics;
using NodeFoundry.Lab;

namespace NodeFoundry.Tests.Lab;

/// <summary>The relay's delay scheduler: due order, FIFO for equal due times, a hard cap, and sub-timer accuracy.</summary>
public sealed class DelaySchedulerTests
{
    private static long In(TimeSpan delay) => Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);

    private static void WaitFor(Func<bool> done)
    {
        for (var i = 0; i < 250 && !done(); i++)
        {
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Equal_due_times_run_in_the_order_scheduled()
    {
        using var scheduler = new DelayScheduler(10_000, "test");
        var ran = new ConcurrentQueue<int>();
        var due = In(TimeSpan.FromMilliseconds(30));
        for (var i = 0; i < 2000; i++)
        {
            var n = i;
            Assert.True(scheduler.TrySchedule(due, () => ran.Enqueue(n)));
        }

        WaitFor(() => ran.Count == 2000);
        Assert.Equal(Enumerable.Range(0, 2000), ran);
    }

    [Fact]
    public void An_earlier_due_time_scheduled_later_runs_first()
    {
        using var scheduler = new DelayScheduler(100, "test");
        var ran = new ConcurrentQueue<string>();
        scheduler.TrySchedule(In(TimeSpan.FromMilliseconds(200)), () => ran.Enqueue("late"));
        scheduler.TrySchedule(In(TimeSpan.FromMilliseconds(20)), () => ran.Enqueue("early"));
        WaitFor(() => ran.Count == 2);
        Assert.Equal(["early", "late"], ran);
    }

    [Fact]
    public void The_cap_refuses_and_a_throwing_action_does_not_stop_the_thread()
    {
        using var scheduler = new DelayScheduler(2, "test");
        var ran = 0;
        Assert.True(scheduler.TrySchedule(In(TimeSpan.FromMilliseconds(10)), () => throw new InvalidOperationException("boom")));
        Assert.True(scheduler.TrySchedule(In(TimeSpan.FromMilliseconds(20)), () => Interlocked.Increment(ref ran)));
        Assert.False(scheduler.TrySchedule(In(TimeSpan.FromMilliseconds(20)), () => Interlocked.Increment(ref ran)));
        WaitFor(() => Volatile.Read(ref ran) == 1);
        Assert.True(scheduler.TrySchedule(In(TimeSpan.Zero), () => Interlocked.Increment(ref ran)));
        WaitFor(() => Volatile.Read(ref ran) == 2);
        Assert.Equal(2, Volatile.Read(ref ran));
    }

    [Fact]
    public void A_sub_millisecond_delay_is_kept_not_rounded_away()
    {
        using var scheduler = new DelayScheduler(100, "test");
        var lateness = new ConcurrentBag<double>();
        for (var i = 0; i < 50; i++)
        {
            var due = In(TimeSpan.FromMilliseconds(0.5));
            using var done = new ManualResetEventSlim();
            scheduler.TrySchedule(due, () =>
            {
                lateness.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                done.Set();
            });
            Assert.True(done.Wait(TimeSpan.FromSeconds(5)));
        }

        // Kept: never run before its due time, however small the delay (a scheduler that rounded 0.5 ms down to "now"
        // would run some of these early). How late they run is the machine's business, not a unit test's: the relay's
        // delay accuracy is measured in bench/tftp.
        Assert.Equal(50, lateness.Count);
        Assert.All(lateness, late => Assert.True(late >= 0, $"ran {-late:F3} ms early"));
    }

    [Fact]
    public void Dispose_stops_the_thread_and_refuses_more()
    {
        var scheduler = new DelayScheduler(10, "test");
        scheduler.TrySchedule(In(TimeSpan.FromSeconds(30)), () => { });
        scheduler.Dispose();
        Assert.False(scheduler.TrySchedule(In(TimeSpan.Zero), () => { }));
        Assert.Equal(0, scheduler.Count);
    }
}
