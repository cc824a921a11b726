namespace NodeFoundry.Events;

/// <summary>Publishes every event to each of several sinks, in order; each must keep the no-blocking promise itself.</summary>
public sealed class FanOutSink(params IBootEventSink[] sinks) : IBootEventSink
{
    private readonly IBootEventSink[] _sinks = sinks ?? throw new ArgumentNullException(nameof(sinks));

    public void Publish(BootEvent bootEvent)
    {
        foreach (IBootEventSink sink in _sinks)
        {
            sink.Publish(bootEvent);
        }
    }
}
