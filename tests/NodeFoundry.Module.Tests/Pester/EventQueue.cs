using System.Collections.Concurrent;
using NodeFoundry.Events;

namespace NodeFoundry.Tests.Pester;

/// <summary>An engine's event sink for tests: keeps every event, and waits (boundedly) for one that matches.</summary>
internal sealed class EventQueue<TEvent> : IBootEventSink
    where TEvent : BootEvent
{
    private readonly ConcurrentQueue<TEvent> _items = new();

    public IReadOnlyList<TEvent> Items => [.. _items];

    public void Publish(BootEvent bootEvent) => _items.Enqueue((TEvent)bootEvent);

    /// <summary>The first event that matches, once it has arrived; throws after 10 seconds without one.</summary>
    public async Task<TEvent> WaitFor(Func<TEvent, bool> match)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_items.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching {typeof(TEvent).Name} among {_items.Count}");
    }
}
