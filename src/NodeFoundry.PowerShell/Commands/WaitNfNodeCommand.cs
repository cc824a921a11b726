using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.Timeline;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Waits until nodes of a running Start-NfBootStack job reach a boot stage (Installed by default): a number of
/// nodes (-Count; the fleet's node count when omitted) or the named ones (-MacAddress, -Name). Writes the
/// nodes' timelines; on timeout, writes those that made it and a non-terminating NfNodeWaitTimeout error
/// listing the missing nodes, with their partial timelines as its target object. With a shared store
/// (storage: { kind: postgresql }) a node counts whichever server of the fleet it booted through: the store is
/// read every 2 s; otherwise the stack's own timeline is watched.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "NfNode", DefaultParameterSetName = CountSet)]
[OutputType(typeof(NodeBootTimeline))]
public sealed class WaitNfNodeCommand : PSCmdlet, IDisposable
{
    private const string CountSet = "Count";
    private const string NodeSet = "Node";

    private readonly CancellationTokenSource _stop = new();

    /// <summary>The boot stack job, as returned by Start-NfBootStack or Get-Job.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Job? Job { get; set; }

    /// <summary>The stage to wait for; a node at a later stage counts.</summary>
    [Parameter(Position = 1)]
    public BootStage Stage { get; set; } = BootStage.Installed;

    /// <summary>How many nodes must reach the stage (any node the stack sees, in the fleet file or not).</summary>
    [Parameter(ParameterSetName = CountSet)]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>The nodes that must reach the stage, by hardware address.</summary>
    [Parameter(ParameterSetName = NodeSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public PhysicalAddress[]? MacAddress { get; set; }

    /// <summary>The nodes that must reach the stage, by fleet name (wildcards allowed).</summary>
    [Parameter(ParameterSetName = NodeSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FleetNodeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Longest wait in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 7 * 24 * 3600)]
    public int TimeoutSec { get; set; } = 1800;

    public void Dispose() => _stop.Dispose();

    private static string Where(Hosting.BootStack stack) =>
        stack.BootEvents is { } shared ? $" on any server of the fleet (read from {shared.Description} every {FleetStageWait.DefaultPollInterval.TotalSeconds:0} s)" : " on this server";

    protected override void StopProcessing() => _stop.Cancel();

    protected override void ProcessRecord()
    {
        if (TimelineSelection.StackOf(this, Job!) is not { } stack)
        {
            return;
        }

        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        Task<IReadOnlyList<NodeBootTimeline>> wait;
        if (ParameterSetName == NodeSet)
        {
            var macs = TimelineSelection.Macs(this, stack, MacAddress, Name);
            if (macs.Count == 0)
            {
                return;
            }

            WriteVerbose($"Waiting up to {TimeoutSec} s for {macs.Count} node(s) to reach {Stage}{Where(stack)}.");
            wait = stack.WaitForStageAsync(Stage, macs.Count, [.. macs], timeout, _stop.Token);
        }
        else
        {
            int count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : Math.Max(1, stack.Fleet.Nodes.Count);
            WriteVerbose($"Waiting up to {TimeoutSec} s for {count} node(s) to reach {Stage}{Where(stack)}.");
            wait = stack.WaitForStageAsync(Stage, count, null, timeout, _stop.Token);
        }

        try
        {
            WriteObject(wait.GetAwaiter().GetResult(), enumerateCollection: true);
        }
        catch (BootStageTimeoutException ex)
        {
            WriteObject(ex.Reached, enumerateCollection: true);
            string missing = ex.Missing.Count == 0
                ? "no other node was seen"
                : "missing: " + string.Join(", ", ex.Missing.Select(m => $"{m.NodeName ?? stack.Fleet.FindByMac(m.MacAddress)?.Name ?? "unknown node"} ({MacAddressText.Format(m.MacAddress)}) at {m.Stage}"));
            WriteError(new ErrorRecord(
                new TimeoutException($"{ex.Reached.Count} node(s) reached {Stage} within {TimeoutSec} s; {missing}.", ex),
                ErrorIds.NodeWaitTimeout, ErrorCategory.OperationTimeout, ex.Missing));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Ctrl+C: the pipeline is stopping.
        }
    }
}
