namespace NodeFoundry.Power;

/// <summary>
/// Hands out turns to send a power command, in the run's node order and at least a stagger apart (measured on the
/// run's clock from the previous turn). A node that will send no command passes its turn on, so one broken BMC
/// never holds up the rest. Thread-safe.
/// </summary>
internal sealed class PowerOnTurns
{
    private readonly TimeSpan _stagger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource[] _turns;
    private readonly bool[] _done;
    private readonly object _gate = new();
    private DateTimeOffset? _lastCommand;
    private int _open;

    public PowerOnTurns(int count, TimeSpan stagger, TimeProvider time)
    {
        _stagger = stagger;
        _time = time;
        _turns = [.. Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _done = new bool[count];
        if (count > 0)
        {
            _turns[0].TrySetResult();
        }
    }

    /// <summary>Waits for turn <paramref name="index"/> and then for the stagger; returns the time the command may go.</summary>
    public async Task<DateTimeOffset> TakeAsync(int index, CancellationToken cancellationToken)
    {
        await _turns[index].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        TimeSpan wait;
        lock (_gate)
        {
            wait = _lastCommand is { } last ? last + _stagger - _time.GetUtcNow() : TimeSpan.Zero;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }

        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            _lastCommand = now;
        }

        return now;
    }

    /// <summary>
    /// Ends turn <paramref name="index"/>, taken or passed. The next turn opens once every earlier one has ended too,
    /// so a node that fails early never lets a later node overtake one still waiting. Idempotent.
    /// </summary>
    public void Release(int index)
    {
        lock (_gate)
        {
            if (_done[index])
            {
                return;
            }

            _done[index] = true;
            while (_open < _done.Length && _done[_open])
            {
                _open++;
            }

            if (_open < _turns.Length)
            {
                _turns[_open].TrySetResult();
            }
        }
    }
}
