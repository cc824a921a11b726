using System.Threading.Channels;

namespace NodeFoundry.Events;

/// <summary>
/// A bounded, drop-oldest event buffer between an engine and its consumer (a PowerShell job or the
/// service host's log). A long-running server must not grow memory without limit when nobody calls
/// Receive-Job, so the oldest undelivered events are discarded and counted in <see cref="Dropped"/>.
/// </summary>
public sealed class BoundedEventChannel : IBootEventSink
{
    private readonly Channel<BootEvent> _channel;
    private long _dropped;

    public BoundedEventChannel(int capacity = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _channel = Channel.CreateBounded<BootEvent>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    public int Capacity { get; }

    /// <summary>Events discarded because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<BootEvent> Reader => _channel.Reader;

    public void Publish(BootEvent bootEvent) => _channel.Writer.TryWrite(bootEvent);

    /// <summary>No more events will be published (the engine stopped).</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
