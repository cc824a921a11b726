using System.Management.Automation;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>Makes a <see cref="BootServiceJob"/> visible to PowerShell's job cmdlets.</summary>
internal static class BootJobRegistration
{
    /// <summary>
    /// Registers the job exactly once. The ThreadJob way first: the runspace's JobManager instantiates
    /// <see cref="BootJobSourceAdapter"/> (once per runspace) and the adapter holds the job. Only when the
    /// JobManager refuses does the job go into the session's JobRepository instead. Never both: Get-Job
    /// concatenates the JobRepository and the JobManager's adapters without removing duplicates, so a
    /// job held by both would be listed twice.
    /// </summary>
    public static void Register(PSCmdlet cmdlet, BootServiceJob job)
    {
        var definition = new JobDefinition(typeof(BootJobSourceAdapter), job.Command, job.Name);
        var parameters = new Dictionary<string, object> { [BootJobSourceAdapter.NewJobParameter] = job };
        Job2? registered = null;
        try
        {
            registered = cmdlet.JobManager.NewJob(new JobInvocationInfo(definition, parameters));
        }
        catch (InvalidOperationException)
        {
            // Fall back to the JobRepository below.
        }
        catch (PSArgumentException)
        {
            // Fall back to the JobRepository below.
        }

        if (!ReferenceEquals(registered, job))
        {
            cmdlet.JobRepository.Add(job);
        }
    }
}
