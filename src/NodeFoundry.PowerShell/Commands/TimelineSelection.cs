using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Timeline;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>What Wait-NfNode and Get-NfBootTimeline share: the stack behind a job, and nodes chosen by MAC or fleet name.</summary>
internal static class TimelineSelection
{
    /// <summary>The boot stack <paramref name="job"/> runs, or null after a non-terminating NfJobNotBootStack error.</summary>
    public static BootStack? StackOf(Cmdlet cmdlet, Job job)
    {
        if (job is BootServiceJob { Service: BootStack stack })
        {
            return stack;
        }

        cmdlet.WriteError(new ErrorRecord(
            new ArgumentException($"Job {job.Id} ('{job.Name}') is not a NodeFoundry boot stack job; start one with Start-NfBootStack."),
            ErrorIds.JobNotBootStack, ErrorCategory.InvalidArgument, job));
        return null;
    }

    /// <summary>
    /// The MAC addresses of <paramref name="macAddresses"/> and of the fleet nodes named by <paramref name="names"/>
    /// (wildcards allowed); a name that matches no node is a non-terminating NfNodeNotFound error.
    /// </summary>
    public static HashSet<PhysicalAddress> Macs(Cmdlet cmdlet, BootStack stack, PhysicalAddress[]? macAddresses, string[]? names) =>
        Macs(cmdlet, stack.Fleet, macAddresses, names);

    /// <inheritdoc cref="Macs(Cmdlet, BootStack, PhysicalAddress[], string[])"/>
    public static HashSet<PhysicalAddress> Macs(Cmdlet cmdlet, FleetConfig fleet, PhysicalAddress[]? macAddresses, string[]? names)
    {
        var macs = new HashSet<PhysicalAddress>(macAddresses ?? []);
        foreach (string name in names ?? [])
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matched = fleet.Nodes.Where(n => pattern.IsMatch(n.Name)).ToList();
            if (matched.Count == 0)
            {
                cmdlet.WriteError(new ErrorRecord(
                    new ItemNotFoundException($"The fleet file '{fleet.SourcePath}' has no node named '{name}'."),
                    ErrorIds.NodeNotFound, ErrorCategory.ObjectNotFound, name));
            }

            macs.UnionWith(matched.Select(n => n.MacAddress));
        }

        return macs;
    }

    /// <summary>True when <paramref name="timeline"/> is one of <paramref name="macs"/> (every node when no filter was given).</summary>
    public static bool Selected(NodeBootTimeline timeline, HashSet<PhysicalAddress> macs, bool filtered) =>
        !filtered || macs.Contains(timeline.MacAddress);
}
