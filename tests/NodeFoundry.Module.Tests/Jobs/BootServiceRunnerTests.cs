using System.Net.Sockets;
using NodeFoundry.Dhcp;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.Tests.Jobs;

public sealed class BootServiceRunnerTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    [Fact]
    public void Runs_on_its_own_thread_and_stops_on_request()
    {
        var service = new ServingService(eventsToPublish: 3);
        var output = new ListOutput();
        using var runner = new BootServiceRunner(service, output);
        var log = new StateLog(runner, output);

        runner.Start();
        Assert.Equal(BootRunState.Running, runner.State);
        SpinWait.SpinUntil(() => output.Snapshot().Count == 3, Bounded);

        Assert.True(runner.Stop(Bounded));

        Assert.Equal([BootRunState.Running, BootRunState.Stopping, BootRunState.Stopped], log.States);
        Assert.Equal(BootRunState.Stopped, runner.State);
        Assert.Null(runner.Failure);
        Assert.NotEqual(Environment.CurrentManagedThreadId, service.RunThreadId);
        Assert.Equal([0u, 1u, 2u], output.Snapshot().Cast<LeaseEvent>().Select(e => e.TransactionId));
    }

    [Fact]
    public void Start_returns_while_the_engine_blocks_its_thread()
    {
        using var service = new StubbornService();
        var output = new ListOutput();
        using var runner = new BootServiceRunner(service, output);
        var log = new StateLog(runner, output);

        runner.Start();

        Assert.Equal(BootRunState.Running, runner.State);
        service.Release();
        log.WaitForFinal(Bounded);
        Assert.Equal(BootRunState.Completed, runner.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_throwing_engine_fails_the_run_after_its_events_are_delivered(bool synchronously)
    {
        var failure = new SocketException((int)SocketError.AddressAlreadyInUse);
        var output = new ListOutput();
        using var runner = new BootServiceRunner(new FailingService(failure, eventsBeforeFailure: 5, synchronously), output);
        var log = new StateLog(runner, output);

        runner.Start();
        log.WaitForFinal(Bounded);

        Assert.Equal([BootRunState.Running, BootRunState.Failed], log.States);
        Assert.Same(failure, log.Entries[^1].Reason);
        Assert.Same(failure, runner.Failure);
        Assert.Equal(5, log.Entries[^1].Delivered);
    }

    [Fact]
    public void An_engine_that_returns_by_itself_completes()
    {
        var output = new ListOutput();
        using var runner = new BootServiceRunner(new FinishingService(eventsToPublish: 4), output);
        var log = new StateLog(runner, output);

        runner.Start();
        log.WaitForFinal(Bounded);

        Assert.Equal([BootRunState.Running, BootRunState.Completed], log.States);
        Assert.Equal(4, log.Entries[^1].Delivered);
    }

    [Fact]
    public void Output_keeps_the_newest_events_and_counts_every_loss()
    {
        const int Published = 1_000;
        const int Capacity = 10;
        var output = new ListOutput(Capacity);
        using var runner = new BootServiceRunner(new ServingService(Published), output, Capacity);

        runner.Start();
        SpinWait.SpinUntil(() => output.Snapshot().Count == Capacity && runner.Dropped == Published - Capacity, Bounded);
        Assert.True(runner.Stop(Bounded));

        List<uint> kept = [.. output.Snapshot().Cast<LeaseEvent>().Select(e => e.TransactionId)];
        Assert.Equal(Capacity, kept.Count);
        Assert.Equal(Published - 1, (int)kept[^1]);
        Assert.Equal(kept.Order(), kept);
        Assert.Equal(Published - Capacity, runner.Dropped);
    }

    [Fact]
    public void A_broken_output_does_not_stop_the_drain()
    {
        var output = new ListOutput { Throw = true };
        using var runner = new BootServiceRunner(new ServingService(eventsToPublish: 7), output);

        runner.Start();
        SpinWait.SpinUntil(() => runner.Dropped == 7, Bounded);

        Assert.True(runner.Stop(Bounded));
        Assert.Equal(BootRunState.Stopped, runner.State);
        Assert.Equal(7, runner.Dropped);
    }

    [Fact]
    public void Stop_is_bounded_when_the_engine_ignores_cancellation()
    {
        using var service = new StubbornService();
        var output = new ListOutput();
        using var runner = new BootServiceRunner(service, output);
        var log = new StateLog(runner, output);
        runner.Start();

        Assert.False(runner.Stop(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(BootRunState.Stopping, runner.State);

        service.Release();
        log.WaitForFinal(Bounded);
        Assert.Equal(BootRunState.Stopped, runner.State);
    }

    [Fact]
    public void Stop_before_start_and_repeated_stops_are_harmless()
    {
        var output = new ListOutput();
        using var runner = new BootServiceRunner(new ServingService(), output);
        var log = new StateLog(runner, output);

        Assert.True(runner.Stop(Bounded));
        Assert.True(runner.Stop(Bounded));

        Assert.Equal([BootRunState.Stopped], log.States);
        Assert.Throws<InvalidOperationException>(runner.Start);
    }

    [Fact]
    public void Starting_twice_is_refused()
    {
        using var runner = new BootServiceRunner(new ServingService(), new ListOutput());
        runner.Start();

        Assert.Throws<InvalidOperationException>(runner.Start);
        Assert.True(runner.Stop(Bounded));
    }

    [Fact]
    public void Capacity_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BootServiceRunner(new ServingService(), new ListOutput(), capacity: 0));
    }
}
