using System.Globalization;
using System.Management.Automation;
using NodeFoundry.Power;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// One fleet power run as a PowerShell job: a thin Job2 over <see cref="PowerCycleOrchestrator"/>. Each node's
/// <see cref="PowerCycleResult"/> arrives in Output as it finishes; a failed node also adds an ErrorRecord
/// (<c>NfPowerCycleFailed</c>, the result as target) to Error; progress goes to Progress. Invoke-NfPowerCycle runs
/// the same job in the foreground when -AsJob is not given. Output holds one object per node, so it is bounded by
/// the input.
/// </summary>
public sealed class PowerCycleJob : StoppableOnlyJob
{
    /// <summary>The PSJobTypeName shown by Get-Job.</summary>
    public const string JobTypeName = "NodeFoundryPowerJob";

    /// <summary>The error id of a node that failed.</summary>
    public const string NodeFailedErrorId = "NfPowerCycleFailed";

    private const string Activity = "Invoke-NfPowerCycle";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<PowerCycleRequest> _requests;
    private readonly PowerCycleOrchestrator _orchestrator;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private int _succeeded;
    private int _failed;

    internal PowerCycleJob(IReadOnlyList<PowerCycleRequest> requests, PowerCycleOrchestrator orchestrator, string command, string? name)
        : base(command, string.IsNullOrEmpty(name) ? $"power: {requests.Count} node(s)" : name)
    {
        _requests = requests;
        _orchestrator = orchestrator;
        PSJobTypeName = JobTypeName;

        // Own streams, as ThreadJob does, so Receive-Job and the enumerators never block.
        Output = new PSDataCollection<PSObject> { EnumeratorNeverBlocks = true };
        Error = new PSDataCollection<ErrorRecord> { EnumeratorNeverBlocks = true };
        Warning = new PSDataCollection<WarningRecord> { EnumeratorNeverBlocks = true };
        Verbose = new PSDataCollection<VerboseRecord> { EnumeratorNeverBlocks = true };
        Debug = new PSDataCollection<DebugRecord> { EnumeratorNeverBlocks = true };
        Progress = new PSDataCollection<ProgressRecord> { EnumeratorNeverBlocks = true };
        Information = new PSDataCollection<InformationRecord> { EnumeratorNeverBlocks = true };
    }

    /// <summary>Nodes in the run.</summary>
    public int NodeCount => _requests.Count;

    /// <summary>Nodes that finished successfully so far.</summary>
    public int Succeeded => Volatile.Read(ref _succeeded);

    /// <summary>Nodes that failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public override string Location => string.Join(", ", _requests.Select(r => r.Endpoint.Host).Distinct(StringComparer.OrdinalIgnoreCase).Take(3))
        + (_requests.Count > 3 ? ", …" : string.Empty);

    public override string StatusMessage => $"{Succeeded} succeeded, {Failed} failed of {NodeCount}";

    public override void StartJob()
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("The power job has already been started.");
        }

        SetJobState(JobState.Running);
        _run = Task.Run(RunAsync);
    }

    /// <summary>Stops nodes not yet started; nodes in flight end as failed results. Waits (bounded) for the run to end.</summary>
    public override void StopJob()
    {
        _stop.Cancel();
        if (_run is { } run && !run.Wait(StopTimeout))
        {
            TryAdd(Warning, new WarningRecord($"The power run did not stop within {StopTimeout.TotalSeconds} s; it is still stopping."));
        }
    }

    /// <inheritdoc />
    protected override (string Kind, string RestartHint) NotSupportedWording => ("power job", "stop it with Stop-Job and run Invoke-NfPowerCycle again");

    /// <summary>The error a failed node adds to Error: its message, a category by failure kind, the result as target.</summary>
    internal static ErrorRecord ErrorFor(PowerCycleResult result)
    {
        ErrorCategory category = result.Failure switch
        {
            BmcFailure.Authentication => ErrorCategory.AuthenticationError,
            BmcFailure.Timeout => ErrorCategory.OperationTimeout,
            BmcFailure.Transport => ErrorCategory.ConnectionError,
            BmcFailure.Unsupported => ErrorCategory.NotImplemented,
            BmcFailure.Rejected => ErrorCategory.InvalidOperation,
            BmcFailure.Negotiation => ErrorCategory.SecurityError,
            BmcFailure.Protocol => ErrorCategory.ProtocolError,
            _ => ErrorCategory.NotSpecified,
        };
        return new ErrorRecord(new InvalidOperationException($"{result.NodeName}: {result.Error}"), NodeFailedErrorId, category, result);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (PowerCycleResult result in _orchestrator.RunAsync(_requests, OnProgress, _stop.Token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref result.Succeeded ? ref _succeeded : ref _failed);
                TryAdd(Output, PSObject.AsPSObject(result));
                if (!result.Succeeded)
                {
                    TryAdd(Error, ErrorFor(result));
                }
            }

            TryAdd(Progress, new ProgressRecord(0, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            SetJobState(JobState.Completed);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            SetJobState(JobState.Stopped);
        }
#pragma warning disable CA1031 // Whatever ends the run is reported on the job, never thrown on a pool thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TryAdd(Error, new ErrorRecord(ex, "NfPowerCycleRunFailed", ErrorCategory.NotSpecified, null));
            SetJobState(JobState.Failed);
        }
    }

    private void OnProgress(PowerCycleProgress progress)
    {
        string status = string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} node(s) done, {2} failed (wave {3} of {4})",
            progress.Completed,
            progress.Total,
            progress.Failed,
            progress.Wave,
            progress.Waves);
        TryAdd(Progress, new ProgressRecord(0, Activity, status)
        {
            PercentComplete = progress.PercentComplete,
            CurrentOperation = progress.Last.ToString(),
        });
    }

    private static void TryAdd<T>(PSDataCollection<T> stream, T record)
    {
        try
        {
            stream.Add(record);
        }
        catch (PSInvalidOperationException)
        {
            // The stream was closed because the job finished; nothing left to tell.
        }
        catch (ObjectDisposedException)
        {
            // Removed while we were writing.
        }
    }
}
