using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.Storage;
using NodeFoundry.Timeline;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Gets per-node boot timelines: each node's stage and when it reached each one. From a running Start-NfBootStack job
/// (the whole fleet's when its servers share a PostgreSQL store), or from that store through a fleet file.
/// </summary>
[Cmdlet(VerbsCommon.Get, "NfBootTimeline", DefaultParameterSetName = JobSet)]
[OutputType(typeof(NodeBootTimeline))]
public sealed class GetNfBootTimelineCommand : PSCmdlet, IDisposable
{
    private const string JobSet = "Job";
    private const string FleetFileSet = "FleetFile";

    // Opened once per pipeline: piping every node of a fleet reads one store through one connection pool.
    private (FleetConfig Fleet, IBootEventStore Store)? _shared;

    /// <summary>The boot stack job(s), as returned by Start-NfBootStack or Get-Job.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public Job[] Job { get; set; } = [];

    /// <summary>A fleet file whose storage is a shared PostgreSQL store: read every server's events there, no server needed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FleetFileSet)]
    [ValidateNotNullOrEmpty]
    public string FleetFile { get; set; } = string.Empty;

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
        if (ParameterSetName == FleetFileSet)
        {
            _shared ??= SharedStoreAccess.Open(this, FleetFile);
            var (fleet, store) = _shared.Value;
            IReadOnlyList<NodeBootTimeline> timelines;
            try
            {
                timelines = FleetTimeline.Read(store, fleet);
            }
            catch (IOException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.BootEventStoreUnavailable, ErrorCategory.ConnectionError, FleetFile));
                throw;
            }

            Write(fleet, timelines);
            return;
        }

        foreach (Job job in Job)
        {
            if (TimelineSelection.StackOf(this, job) is not { } stack)
            {
                continue;
            }

            IReadOnlyList<NodeBootTimeline> timelines;
            try
            {
                timelines = stack.ReadFleetTimelines();
            }
            catch (IOException ex)
            {
                // The stack's own timeline is always there: a partial answer, said to be one, beats none.
                WriteWarning($"The shared boot-event store cannot be read ({ex.Message}); showing what this stack saw itself.");
                timelines = stack.Timeline.Snapshot();
            }

            Write(stack.Fleet, timelines);
        }
    }

    public void Dispose() => _shared?.Store.Dispose();

    private void Write(FleetConfig fleet, IReadOnlyList<NodeBootTimeline> timelines)
    {
        bool filtered = MacAddress is not null || Name is not null;
        var macs = TimelineSelection.Macs(this, fleet, MacAddress, Name);
        foreach (NodeBootTimeline timeline in timelines)
        {
            if (TimelineSelection.Selected(timeline, macs, filtered))
            {
                WriteObject(timeline);
            }
        }
    }
}
