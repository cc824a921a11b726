namespace NodeFoundry.Simulation;

/// <summary>
/// The simulator's stall detector: a loop that asks the clock to wake it every <see cref="Period"/> and records how
/// much later than that it ran. Its continuation is served like every simulated ROM client's — a timer, then a
/// thread-pool thread — so its lateness is theirs: a storm whose probe stayed punctual cannot blame its own process
/// for a timeout, and one whose probe was seconds late shows that the client side was the bottleneck.
/// Bounded: at most <see cref="MaxSamples"/> samples are kept (later ones still raise the maximum and the count
/// over the threshold).
/// </summary>
public sealed class SchedulingLatenessMonitor(TimeProvider time, TimeSpan period)
{
    public const int MaxSamples = 100_000;
    private readonly List<TimeSpan> _samples = [];
    private readonly object _gate = new();
    private TimeSpan _maxBeyondCap;
    private int _overBeyondCap;
    private int _beyondCap;

    public TimeSpan Period => period;

    /// <summary>Probes until <paramref name="stop"/>; never throws for it.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var asked = time.GetTimestamp();
            try
            {
                await Task.Delay(period, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Record(time.GetElapsedTime(asked) - period);
        }
    }

    public void Record(TimeSpan lateness)
    {
        lock (_gate)
        {
            if (_samples.Count < MaxSamples)
            {
                _samples.Add(lateness);
                return;
            }

            _beyondCap++;
            _maxBeyondCap = lateness > _maxBeyondCap ? lateness : _maxBeyondCap;
            _overBeyondCap += lateness >= SchedulingLateness.Threshold ? 1 : 0;
        }
    }

    public SchedulingLateness Snapshot()
    {
        lock (_gate)
        {
            var kept = SchedulingLateness.Of(_samples);
            return _beyondCap == 0
                ? kept
                : kept with
                {
                    Samples = kept.Samples + _beyondCap,
                    Max = kept.Max > _maxBeyondCap ? kept.Max : _maxBeyondCap,
                    OverHalfSecond = kept.OverHalfSecond + _overBeyondCap,
                };
        }
    }
}
