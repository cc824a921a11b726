using NodeFoundry.Events;
using NodeFoundry.Hosting;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// The engine-agnostic core of a boot job, free of PowerShell types so it is tested without a runspace:
/// runs one <see cref="IBootService"/> on its own thread, pumps the engine's <see cref="BoundedEventChannel"/>
/// into an <see cref="IBootEventOutput"/>, and owns the state machine
/// NotStarted → Running → (Stopping → Stopped | Completed | Failed).
/// </summary>
/// <remarks>
/// Memory is bounded twice: the engine publishes into a drop-oldest channel of <see cref="Capacity"/>
/// events (never blocking its packet loop), and the output keeps at most <see cref="Capacity"/>
/// undelivered events (see <see cref="NewestWindow"/>). <see cref="Dropped"/> counts both losses.
/// The final state is raised only after the pump has delivered every buffered event, so nothing
/// is written to a stream PowerShell has already closed.
/// </remarks>
internal sealed class BootServiceRunner : IDisposable
{
    public const int DefaultCapacity = 10_000;

    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    private readonly IBootService _service;
    private readonly IBootEventOutput _output;
    private readonly BoundedEventChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private BootRunState _state = BootRunState.NotStarted;
    private Exception? _failure;
    private Task? _run;
    private long _outputDropped;

    public BootServiceRunner(IBootService service, IBootEventOutput output, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(output);
        _service = service;
        _output = output;
        _channel = new BoundedEventChannel(capacity);
    }

    /// <summary>Raised on every transition, on the thread that caused it (the caller of Start/Stop or the engine thread).</summary>
    public event EventHandler<BootRunStateChangedEventArgs>? StateChanged;

    public string Name => _service.Name;

    public int Capacity => _channel.Capacity;

    /// <summary>Events lost because nobody drained them in time: engine-side overflow plus output-side trimming.</summary>
    public long Dropped => _channel.Dropped + Interlocked.Read(ref _outputDropped);

    public BootRunState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The exception the engine threw, when <see cref="State"/> is <see cref="BootRunState.Failed"/>.</summary>
    public Exception? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    /// <summary>Starts the engine on a dedicated thread and returns at once, in state Running.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != BootRunState.NotStarted)
            {
                throw new InvalidOperationException($"'{Name}' has already been started (state {_state}).");
            }

            _state = BootRunState.Running;
        }

        OnStateChanged(BootRunState.Running, null);
        _run = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Cancels the engine and waits for RunAsync to return and the pump to finish. Idempotent.
    /// </summary>
    /// <returns>False when the engine did not stop within <paramref name="timeout"/> (the state stays Stopping).</returns>
    public bool Stop(TimeSpan timeout)
    {
        bool neverStarted = false;
        bool nowStopping = false;
        lock (_gate)
        {
            switch (_state)
            {
                case BootRunState.NotStarted:
                    _state = BootRunState.Stopped;
                    neverStarted = true;
                    break;
                case BootRunState.Running:
                    _state = BootRunState.Stopping;
                    nowStopping = true;
                    break;
                default:
                    break;
            }
        }

        if (neverStarted)
        {
            OnStateChanged(BootRunState.Stopped, null);
            return true;
        }

        if (nowStopping)
        {
            OnStateChanged(BootRunState.Stopping, null);
            _stop.Cancel();
        }

        Task? run = _run;
        return run is null || run.Wait(timeout);
    }

    public void Dispose()
    {
        if (Stop(DefaultStopTimeout))
        {
            _stop.Dispose();
        }
    }

    private void Run()
    {
        Task pump = Task.Run(PumpAsync);
        Exception? failure = null;
        try
        {
            _service.RunAsync(_channel, _stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // A clean stop.
        }
#pragma warning disable CA1031 // Whatever the engine throws becomes the job's failure reason.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        _channel.Complete();
        pump.GetAwaiter().GetResult();
        Finish(failure);
    }

    private async Task PumpAsync()
    {
        bool outputBroken = false;
        await foreach (BootEvent bootEvent in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (outputBroken)
            {
                Interlocked.Increment(ref _outputDropped);
                continue;
            }

            try
            {
                int discarded = _output.Write(bootEvent);
                if (discarded > 0)
                {
                    Interlocked.Add(ref _outputDropped, discarded);
                }
            }
#pragma warning disable CA1031 // An output closed under us (job removed) must not stop the drain.
            catch (Exception)
#pragma warning restore CA1031
            {
                outputBroken = true;
                Interlocked.Increment(ref _outputDropped);
            }
        }
    }

    private void Finish(Exception? failure)
    {
        BootRunState final;
        lock (_gate)
        {
            final = failure is not null ? BootRunState.Failed
                : _state == BootRunState.Stopping ? BootRunState.Stopped
                : BootRunState.Completed;
            _state = final;
            _failure = failure;
        }

        OnStateChanged(final, failure);
    }

    private void OnStateChanged(BootRunState state, Exception? reason) =>
        StateChanged?.Invoke(this, new BootRunStateChangedEventArgs(state, reason));
}
