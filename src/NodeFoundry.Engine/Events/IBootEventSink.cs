namespace NodeFoundry.Events;

/// <summary>
/// Where engines publish events. Implementations must never block the engine: a server's packet loop
/// calls <see cref="Publish"/> on its hot path, so a full sink drops (and counts) rather than waits.
/// </summary>
public interface IBootEventSink
{
    void Publish(BootEvent bootEvent);
}
