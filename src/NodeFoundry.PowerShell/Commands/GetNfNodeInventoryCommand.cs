using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.Storage;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Gets the fleet inventory the servers sharing a PostgreSQL store have built: each node's MAC, UUID (option 97),
/// firmware architecture (option 93), last address and server, first and last sighting, and installation time.
/// </summary>
[Cmdlet(VerbsCommon.Get, "NfNodeInventory", DefaultParameterSetName = JobSet)]
[OutputType(typeof(InventoryNode))]
public sealed class GetNfNodeInventoryCommand : PSCmdlet, IDisposable
{
    private const string JobSet = "Job";
    private const string FleetFileSet = "FleetFile";

    // Opened once per pipeline: piping every node of a fleet reads one store through one connection pool.
    private IBootEventStore? _shared;

    /// <summary>The boot stack job(s) whose shared store to read, as returned by Start-NfBootStack or Get-Job.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public Job[] Job { get; set; } = [];

    /// <summary>A fleet file whose storage is a shared PostgreSQL store: read it there, no server needed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FleetFileSet)]
    [ValidateNotNullOrEmpty]
    public string FleetFile { get; set; } = string.Empty;

    /// <summary>Only these hardware addresses.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public PhysicalAddress[]? MacAddress { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FleetFileSet)
        {
            _shared ??= SharedStoreAccess.Open(this, FleetFile).Store;
            Write(_shared, FleetFile);
            return;
        }

        foreach (Job job in Job)
        {
            if (TimelineSelection.StackOf(this, job) is { } stack && SharedStoreAccess.Of(this, stack) is { } store)
            {
                Write(store, job);
            }
        }
    }

    public void Dispose() => _shared?.Dispose();

    private void Write(IBootEventStore store, object target)
    {
        IReadOnlyList<InventoryNode> nodes;
        try
        {
            nodes = store.ReadNodes();
        }
        catch (IOException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.BootEventStoreUnavailable, ErrorCategory.ConnectionError, target));
            return;
        }

        var macs = MacAddress is null ? null : new HashSet<PhysicalAddress>(MacAddress);
        foreach (InventoryNode node in nodes)
        {
            if (macs is null || macs.Contains(node.MacAddress))
            {
                WriteObject(node);
            }
        }
    }
}
