using System.Management.Automation;
using System.Reflection;
using NodeFoundry.Events;
using NodeFoundry.Hosting;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// The one PowerShell job type for every NodeFoundry engine (DHCP, TFTP, HTTP): a thin Job2 over
/// <see cref="BootServiceRunner"/>. Engine events arrive in Output as typed objects; a failure to run
/// (address in use, permission denied) lands in Error with a stable error id and fails the job.
/// </summary>
/// <remarks>
/// Output is bounded: it holds at most <see cref="BufferCapacity"/> events nobody has received yet and
/// discards the oldest to make room, counting them in <see cref="Dropped"/> and warning once.
/// Receive-Job regularly (or use -Wait) to see every event.
/// </remarks>
public sealed class BootServiceJob : StoppableOnlyJob, IBootEventOutput
{
    /// <summary>The PSJobTypeName shown by Get-Job.</summary>
    public const string JobTypeName = "NodeFoundryJob";

    private readonly BootServiceRunner _runner;
    private bool _warnedAboutDrops;

    internal BootServiceJob(IBootService service, string command, string? name, int bufferCapacity)
        : base(command, string.IsNullOrEmpty(name) ? service.Name : name)
    {
        Service = service;
        PSJobTypeName = JobTypeName;
        _runner = new BootServiceRunner(service, this, bufferCapacity);
        _runner.StateChanged += OnRunnerStateChanged;

        // Own streams, as ThreadJob does, so Receive-Job and the enumerators never block.
        Output = new PSDataCollection<PSObject> { EnumeratorNeverBlocks = true };
        Error = new PSDataCollection<ErrorRecord> { EnumeratorNeverBlocks = true };
        Warning = new PSDataCollection<WarningRecord> { EnumeratorNeverBlocks = true };
        Verbose = new PSDataCollection<VerboseRecord> { EnumeratorNeverBlocks = true };
        Debug = new PSDataCollection<DebugRecord> { EnumeratorNeverBlocks = true };
        Progress = new PSDataCollection<ProgressRecord> { EnumeratorNeverBlocks = true };
        Information = new PSDataCollection<InformationRecord> { EnumeratorNeverBlocks = true };
    }

    /// <summary>The engine this job runs (a DhcpServer for Start-NfDhcpServer).</summary>
    public IBootService Service { get; }

    /// <summary>The engine's own name, e.g. <c>dhcp@127.0.0.1:6767</c>.</summary>
    public string ServiceName => _runner.Name;

    /// <summary>Most undelivered events Output holds before the oldest are discarded.</summary>
    public int BufferCapacity => _runner.Capacity;

    /// <summary>Events discarded because nobody received them in time.</summary>
    public long Dropped => _runner.Dropped;

    public override string Location => _runner.Name;

    public override string StatusMessage =>
        Dropped > 0 ? $"{Dropped} event(s) dropped (buffer {BufferCapacity})" : string.Empty;

    public override void StartJob() => _runner.Start();

    /// <summary>Cancels the engine and waits until it has released its sockets.</summary>
    public override void StopJob()
    {
        if (!_runner.Stop(BootServiceRunner.DefaultStopTimeout))
        {
            TryAdd(Warning, new WarningRecord(
                $"'{ServiceName}' did not stop within {BootServiceRunner.DefaultStopTimeout.TotalSeconds} s; it is still stopping."));
        }
    }

    /// <inheritdoc />
    protected override (string Kind, string RestartHint) NotSupportedWording => ("boot job", "stop it with Stop-Job and start a new one");

    int IBootEventOutput.Write(BootEvent bootEvent)
    {
        int discarded = NewestWindow.Add(Output, ((System.Collections.ICollection)Output).SyncRoot, PSObject.AsPSObject(bootEvent), BufferCapacity);
        if (discarded > 0 && !_warnedAboutDrops)
        {
            _warnedAboutDrops = true;
            TryAdd(Warning, new WarningRecord(
                $"'{ServiceName}': more than {BufferCapacity} events are waiting; the oldest are being dropped. "
                + "Run Receive-Job more often; the job's Dropped property counts the loss."));
        }

        return discarded;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _runner.StateChanged -= OnRunnerStateChanged;
            _runner.Dispose();
            (Service as IDisposable)?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Job2.SetJobState(JobState, Exception) exists in every PowerShell 7 but is missing from
    /// PowerShellStandard.Library's reference surface; found once by reflection so that
    /// JobStateInfo.Reason carries the engine's exception. Error holds the same reason regardless.
    /// </summary>
    private static readonly MethodInfo? SetJobStateWithReason = typeof(Job2).GetMethod(
        "SetJobState",
        BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public,
        binder: null,
        [typeof(JobState), typeof(Exception)],
        modifiers: null);

    private void SetFailed(Exception reason)
    {
        if (SetJobStateWithReason is null)
        {
            SetJobState(JobState.Failed);
            return;
        }

        try
        {
            SetJobStateWithReason.Invoke(this, [JobState.Failed, reason]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ObjectDisposedException inner)
        {
            throw inner;
        }
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

    private void OnRunnerStateChanged(object? sender, BootRunStateChangedEventArgs e)
    {
        try
        {
            switch (e.State)
            {
                case BootRunState.Running:
                    TryAdd(Verbose, new VerboseRecord($"'{ServiceName}' started."));
                    SetJobState(JobState.Running);
                    break;
                case BootRunState.Stopping:
                    TryAdd(Verbose, new VerboseRecord($"'{ServiceName}' stopping."));
                    SetJobState(JobState.Stopping);
                    break;
                case BootRunState.Stopped:
                    SetJobState(JobState.Stopped);
                    break;
                case BootRunState.Completed:
                    SetJobState(JobState.Completed);
                    break;
                case BootRunState.Failed:
                    Exception reason = e.Reason ?? new InvalidOperationException($"'{ServiceName}' failed.");
                    TryAdd(Error, BootJobErrors.FromFailure(reason, this));
                    SetFailed(reason);
                    break;
                default:
                    break;
            }
        }
        catch (ObjectDisposedException)
        {
            // Remove-Job disposed the job while the engine was still winding down.
        }
    }
}
