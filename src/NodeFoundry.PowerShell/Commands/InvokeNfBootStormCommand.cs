using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Simulation;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Boots a simulated fleet against a boot server — DHCP, the NBP over TFTP, iPXE's DHCP, script, kernel and initrd,
/// each node as firmware would — and writes the storm's report (per-stage latency, failures by stage and cause,
/// time until all booted, bytes). With -PassThru also every node's result. Shows progress while it runs.
/// The simulator is the engine's <see cref="FleetSimulator"/>; this cmdlet only binds parameters and reports.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NfBootStorm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StormReport))]
[OutputType(typeof(SimulatedNodeResult))]
public sealed class InvokeNfBootStormCommand : PSCmdlet, IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The DHCP server to boot against.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public IPAddress? Server { get; set; }

    /// <summary>The local address the simulated nodes' DHCP comes from, as a relay agent (giaddr); the server answers there.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public IPAddress? RelayAddress { get; set; }

    /// <summary>How many nodes power on.</summary>
    [Parameter(Position = 1)]
    [ValidateRange(1, 1_000_000)]
    public int Nodes { get; set; } = 100;

    /// <summary>Nodes booting at once at most; later ones wait for a slot.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int Concurrency { get; set; } = 1_000_000;

    /// <summary>Spread the power-on over this many seconds (0: all at once).</summary>
    [Parameter]
    [ValidateRange(0, 86_400)]
    public int RippleSeconds { get; set; }

    /// <summary>The whole storm's bound in seconds; nodes not finished by then fail.</summary>
    [Parameter]
    [ValidateRange(1, 86_400)]
    public int TimeoutSec { get; set; } = 600;

    /// <summary>The DHCP server's port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int DhcpPort { get; set; } = 67;

    /// <summary>
    /// The TFTP port the NBP is fetched from, at -Server. PXE has no way to name a TFTP port (firmware always uses 69
    /// at next-server); this is for servers on a test port.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int TftpPort { get; set; } = 69;

    /// <summary>The port the server sends relay replies to (its relay port; 67 for a real server).</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int ReplyPort { get; set; } = 67;

    /// <summary>Addresses on this machine the nodes' TFTP and HTTP come from, round robin (none: the system picks).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? SourceAddress { get; set; }

    /// <summary>Option 93 the simulated firmware sends: 0 BIOS, 7 EFI x64.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Architecture { get; set; }

    /// <summary>Fetch this kernel instead of the one the script names.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? KernelUrl { get; set; }

    /// <summary>Fetch this initrd instead of the one the script names.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? InitrdUrl { get; set; }

    /// <summary>Seeds transaction ids and UUIDs, so a storm can be repeated.</summary>
    [Parameter]
    public int Seed { get; set; } = 1;

    /// <summary>Also write every node's result after the report.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    public void Dispose() => _stop.Dispose();

    protected override void StopProcessing() => _stop.Cancel();

    protected override void EndProcessing()
    {
        if (!ShouldProcess($"{Server}:{DhcpPort}", $"Boot {Nodes} simulated node(s) against"))
        {
            return;
        }

        var options = new StormOptions
        {
            DhcpServer = new IPEndPoint(Server!, DhcpPort),
            DhcpReplyEndPoint = new IPEndPoint(RelayAddress!, ReplyPort),
            RelayAddress = RelayAddress,
            TftpServer = MyInvocation.BoundParameters.ContainsKey(nameof(TftpPort)) ? new IPEndPoint(Server!, TftpPort) : null,
            Nodes = Nodes,
            Concurrency = Concurrency,
            Ripple = TimeSpan.FromSeconds(RippleSeconds),
            Deadline = TimeSpan.FromSeconds(TimeoutSec),
            SourceAddresses = SourceAddress ?? [],
            Architecture = (ushort)Architecture,
            KernelUrl = KernelUrl,
            InitrdUrl = InitrdUrl,
            Seed = Seed,
            KeepNodeResults = PassThru.IsPresent,
        };

        FleetSimulator simulator;
        try
        {
            simulator = new FleetSimulator(options);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.BootStormNotStarted, ErrorCategory.InvalidArgument,
                $"{RelayAddress}:{ReplyPort}"));
            return;
        }

        using (simulator)
        {
            WriteVerbose($"Booting {Nodes} simulated node(s) against {Server}:{DhcpPort} as relay {simulator.DhcpReplyEndPoint}.");
            var run = simulator.RunAsync(null, _stop.Token);
            var progress = new ProgressRecord(1, $"Boot storm against {Server}", "Powering on");
            while (!run.Wait(ProgressInterval))
            {
                if (simulator.Progress is { } now)
                {
                    progress.StatusDescription = now.ToString();
                    progress.PercentComplete = now.PercentComplete;
                    WriteProgress(progress);
                }
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            StormReport report;
            try
            {
                report = run.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return; // Ctrl+C: the pipeline is stopping
            }

            if (report.Failed > 0)
            {
                WriteWarning($"{report.Failed} of {report.Nodes} node(s) failed: "
                    + string.Join("; ", report.Failures.Select(f => $"{f.Stage}/{f.Cause} × {f.Count}")));
            }

            WriteObject(report);
            if (PassThru)
            {
                WriteObject(report.NodeResults, enumerateCollection: true);
            }
        }
    }
}
