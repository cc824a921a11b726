using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.Timeline;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>Gets the per-node boot timelines of a running Start-NfBootStack job: each node's stage and when it reached each one.</summary>
[Cmdlet(VerbsCommon.Get, "NfBootTimeline", DefaultParameterSetName = JobSet)]
[OutputType(typeof(NodeBootTimeline))]
public sealed class GetNfBootTimelineCommand : PSCmdlet
{
    private const string JobSet = "Job";

    /// <summary>The boot stack job(s), as returned by Start-NfBootStack or Get-Job.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public Job[] Job { get; set; } = [];

    /// <summary>Only these hardware addresses.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public PhysicalAddress[]? MacAddress { get; set; }

    /// <summary>Only the fleet nodes with these names (wildcards allowed).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FleetNodeNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (Job job in Job)
        {
            if (TimelineSelection.StackOf(this, job) is not { } stack)
            {
                continue;
            }

            bool filtered = MacAddress is not null || Name is not null;
            var macs = TimelineSelection.Macs(this, stack, MacAddress, Name);
            foreach (NodeBootTimeline timeline in stack.Timeline.Snapshot())
            {
                if (TimelineSelection.Selected(timeline, macs, filtered))
                {
                    WriteObject(timeline);
                }
            }
        }
    }
}
