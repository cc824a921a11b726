using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.Tests.Jobs;

internal static class Events
{
    public static LeaseEvent Lease(uint transactionId) => new() { Kind = LeaseEventKind.Offered, TransactionId = transactionId };
}

/// <summary>Publishes some events, then serves until cancelled, as a real server does.</summary>
internal sealed class ServingService(int eventsToPublish = 0) : IBootService
{
    public string Name => "fake@127.0.0.1:6767";

    public int? RunThreadId { get; private set; }

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        RunThreadId = Environment.CurrentManagedThreadId;
        for (uint i = 0; i < eventsToPublish; i++)
        {
            events.Publish(Events.Lease(i));
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Fails to start, the way a bind failure surfaces: publishes a few events, then throws.</summary>
internal sealed class FailingService(Exception failure, int eventsBeforeFailure = 0, bool synchronously = false) : IBootService
{
    public string Name => "failing";

    public Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        for (uint i = 0; i < eventsBeforeFailure; i++)
        {
            events.Publish(Events.Lease(i));
        }

        if (synchronously)
        {
            throw failure;
        }

        return Task.FromException(failure);
    }
}

/// <summary>Returns by itself after publishing.</summary>
internal sealed class FinishingService(int eventsToPublish) : IBootService
{
    public string Name => "finishing";

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (uint i = 0; i < eventsToPublish; i++)
        {
            events.Publish(Events.Lease(i));
        }
    }
}

/// <summary>Blocks its calling thread until released, ignoring cancellation (a badly behaved engine).</summary>
internal sealed class StubbornService : IBootService, IDisposable
{
    private readonly ManualResetEventSlim _release = new(false);

    public string Name => "stubborn";

    public void Release() => _release.Set();

    public Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        _release.Wait(TimeSpan.FromSeconds(30));
        return Task.CompletedTask;
    }

    public void Dispose() => _release.Dispose();
}

/// <summary>An output over a plain list with the same keep-newest policy the PowerShell job applies to Output.</summary>
internal sealed class ListOutput(int capacity = int.MaxValue) : IBootEventOutput
{
    private readonly List<BootEvent> _items = [];

    public bool Throw { get; set; }

    public List<BootEvent> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public int Write(BootEvent bootEvent)
    {
        if (Throw)
        {
            throw new InvalidOperationException("stream closed");
        }

        return NewestWindow.Add(_items, _items, bootEvent, capacity);
    }
}

/// <summary>Records every transition with what the output held at that moment.</summary>
internal sealed class StateLog
{
    private readonly List<(BootRunState State, Exception? Reason, int Delivered)> _entries = [];

    public StateLog(BootServiceRunner runner, ListOutput output) =>
        runner.StateChanged += (_, e) =>
        {
            lock (_entries)
            {
                _entries.Add((e.State, e.Reason, output.Snapshot().Count));
            }
        };

    public IReadOnlyList<(BootRunState State, Exception? Reason, int Delivered)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IEnumerable<BootRunState> States => Entries.Select(e => e.State);

    /// <summary>Bounded wait for a final state.</summary>
    public void WaitForFinal(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!States.Any(s => s is BootRunState.Stopped or BootRunState.Completed or BootRunState.Failed))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no final state within {timeout}; saw {string.Join(", ", States)}");
            Thread.Sleep(5);
        }
    }
}
