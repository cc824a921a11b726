using System.ComponentModel;
using System.Management.Automation;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// What every NodeFoundry job does the same way: it can be stopped (synchronously, or on the thread pool for
/// Stop-Job -PassThru and friends) and nothing else — a boot server or a power run cannot be suspended, resumed or
/// unblocked, and says how to get the effect instead (<see cref="NotSupportedWording"/>).
/// </summary>
public abstract class StoppableOnlyJob : Job2
{
    /// <summary>Creates the job.</summary>
    protected StoppableOnlyJob(string command, string name)
        : base(command, name)
    {
    }

    /// <summary>True while any stream, Information included, holds unread records.</summary>
    public override bool HasMoreData =>
        Output.Count > 0
        || Error.Count > 0
        || Warning.Count > 0
        || Verbose.Count > 0
        || Debug.Count > 0
        || Progress.Count > 0
        || Information.Count > 0;

    /// <summary>Completes "A NodeFoundry … cannot be suspended; …", for example "boot job" and how to start again.</summary>
    protected abstract (string Kind, string RestartHint) NotSupportedWording { get; }

    /// <summary>Starts the job; a job started twice reports the InvalidOperationException as the completion's error.</summary>
    public override void StartJobAsync()
    {
        Exception? error = null;
        try
        {
            StartJob();
        }
        catch (InvalidOperationException ex)
        {
            error = ex;
        }

        OnStartJobCompleted(new AsyncCompletedEventArgs(error, false, null));
    }

    /// <inheritdoc />
    public override void StopJob(bool force, string reason) => StopJob();

    /// <inheritdoc />
    public override void StopJobAsync() =>
        ThreadPool.QueueUserWorkItem(_ =>
        {
            StopJob();
            OnStopJobCompleted(new AsyncCompletedEventArgs(null, false, null));
        });

    /// <inheritdoc />
    public override void StopJobAsync(bool force, string reason) => StopJobAsync();

    /// <inheritdoc />
    public override void SuspendJob() => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJob(bool force, string reason) => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJobAsync() => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJobAsync(bool force, string reason) => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void ResumeJob() => throw NotSupported("resumed");

    /// <inheritdoc />
    public override void ResumeJobAsync() => throw NotSupported("resumed");

    /// <inheritdoc />
    public override void UnblockJob() => throw NotSupported("unblocked");

    /// <inheritdoc />
    public override void UnblockJobAsync() => throw NotSupported("unblocked");

    private PSNotSupportedException NotSupported(string what)
    {
        (string kind, string hint) = NotSupportedWording;
        return new PSNotSupportedException($"A NodeFoundry {kind} cannot be {what}; {hint}.");
    }
}
