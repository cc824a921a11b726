namespace NodeFoundry.Storage;

/// <summary>
/// When to try an unreachable database again: at once after the first failure, then after a delay that doubles up
/// to <see cref="MaxDelay"/>. The DHCP loop asks <see cref="MayTry"/> before each attempt, so an outage costs it a
/// clock read per batch, not a connection timeout per packet.
/// </summary>
public sealed class ReconnectBackoff(TimeProvider time)
{
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    private TimeSpan _delay;
    private DateTimeOffset _nextAttempt = DateTimeOffset.MinValue;

    /// <summary>True while the last attempt failed.</summary>
    public bool IsFailing { get; private set; }

    public bool MayTry() => !IsFailing || time.GetUtcNow() >= _nextAttempt;

    public void Succeeded()
    {
        IsFailing = false;
        _delay = TimeSpan.Zero;
    }

    public void Failed()
    {
        IsFailing = true;
        _delay = _delay == TimeSpan.Zero ? FirstDelay : TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, MaxDelay.Ticks));
        _nextAttempt = time.GetUtcNow() + _delay;
    }
}
