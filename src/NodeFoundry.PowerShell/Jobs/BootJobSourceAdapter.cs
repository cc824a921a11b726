using System.Collections.Concurrent;
using System.Management.Automation;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// Holds the session's NodeFoundry jobs so Get-Job, Receive-Job, Wait-Job, Stop-Job and Remove-Job
/// find them through the runspace's JobManager (the PowerShell/ThreadJob model).
/// </summary>
public sealed class BootJobSourceAdapter : JobSourceAdapter
{
    internal const string NewJobParameter = "NewJob";

    private readonly ConcurrentDictionary<Guid, Job2> _jobs = new();

    public BootJobSourceAdapter()
    {
        Name = nameof(BootJobSourceAdapter);
    }

    public override Job2 NewJob(JobInvocationInfo specification)
    {
        ArgumentNullException.ThrowIfNull(specification);
        var job = (BootServiceJob)specification.Parameters[0][0].Value;
        _jobs.TryAdd(job.InstanceId, job);
        return job;
    }

    public override IList<Job2> GetJobs() => [.. _jobs.Values];

    public override IList<Job2> GetJobsByName(string name, bool recurse) =>
        Where(job => string.Equals(job.Name, name, StringComparison.OrdinalIgnoreCase));

    public override IList<Job2> GetJobsByCommand(string command, bool recurse) =>
        Where(job => string.Equals(job.Command, command, StringComparison.OrdinalIgnoreCase));

    public override IList<Job2> GetJobsByState(JobState state, bool recurse) =>
        Where(job => job.JobStateInfo.State == state);

    /// <summary>Matches Name, Command, State, InstanceId and Location keys; any other key matches nothing.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Where(job => filter.All(pair => pair.Key.ToUpperInvariant() switch
        {
            "NAME" => string.Equals(job.Name, pair.Value?.ToString(), StringComparison.OrdinalIgnoreCase),
            "COMMAND" => string.Equals(job.Command, pair.Value?.ToString(), StringComparison.OrdinalIgnoreCase),
            "STATE" => string.Equals(job.JobStateInfo.State.ToString(), pair.Value?.ToString(), StringComparison.OrdinalIgnoreCase),
            "INSTANCEID" => string.Equals(job.InstanceId.ToString(), pair.Value?.ToString(), StringComparison.OrdinalIgnoreCase),
            "LOCATION" => string.Equals(job.Location, pair.Value?.ToString(), StringComparison.OrdinalIgnoreCase),
            _ => false,
        }));
    }

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
        _jobs.TryGetValue(instanceId, out Job2? job) ? job : null;

    public override Job2? GetJobBySessionId(int id, bool recurse) =>
        _jobs.Values.FirstOrDefault(job => job.Id == id);

    /// <summary>Called by Remove-Job once the job has finished (Remove-Job stops a running job first).</summary>
    public override void RemoveJob(Job2 job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryRemove(job.InstanceId, out Job2? removed))
        {
            removed.StopJob();
        }
    }

    private List<Job2> Where(Func<Job2, bool> predicate) => [.. _jobs.Values.Where(predicate)];
}
