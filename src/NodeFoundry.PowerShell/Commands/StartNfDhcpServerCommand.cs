using System.Management.Automation;
using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Starts the DHCP engine for the nodes of a fleet file: as a job (default) that Get-Job, Receive-Job
/// and Stop-Job manage, or in the foreground with -Wait for scripts run by systemd.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "NfDhcpServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = AsJobSet)]
[OutputType(typeof(BootServiceJob), ParameterSetName = [AsJobSet])]
[OutputType(typeof(LeaseEvent), ParameterSetName = [WaitSet])]
public sealed class StartNfDhcpServerCommand : PSCmdlet
{
    private const string AsJobSet = "AsJob";
    private const string WaitSet = "Wait";

    private BootServiceJob? _foreground;

    /// <summary>The fleet file (YAML) whose nodes the server answers.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string FleetFile { get; set; } = string.Empty;

    /// <summary>Network interface to serve on (overrides the fleet file).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    /// <summary>Address to bind; 0.0.0.0 by default. Not the server identifier: that is always the fleet's server.address.</summary>
    [Parameter]
    [ValidateNotNull]
    public IPAddress? ListenAddress { get; set; }

    /// <summary>UDP port to bind (overrides the fleet file; 67 by default).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// UDP port replies to relayed requests (giaddr set) are sent to; 67 by default (RFC 2131). Only a lab
    /// or test whose relay, such as a DhcpProbeClient, listens on a high port needs it.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int RelayPort { get; set; }

    /// <summary>Lease journal file (overrides the fleet file's server.stateDirectory/leases.journal).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>Job name; the engine's name by default: <c>dhcp@{listen}:{port}</c>, plus <c>%{interface}</c> when bound to one.</summary>
    [Parameter(ParameterSetName = AsJobSet)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Run in the foreground, streaming events, until Ctrl+C.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WaitSet)]
    public SwitchParameter Wait { get; set; }

    /// <summary>Most undelivered events kept before the oldest are dropped.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int EventBufferSize { get; set; } = BootServiceRunner.DefaultCapacity;

    protected override void ProcessRecord()
    {
        string fleetPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(FleetFile);
        FleetConfig fleet = LoadFleet(fleetPath);

        DhcpServerOptions options = DhcpServerOptions.FromFleet(fleet);
        options = options with
        {
            ListenAddress = ListenAddress ?? options.ListenAddress,
            Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : options.Port,
            RelayPort = MyInvocation.BoundParameters.ContainsKey(nameof(RelayPort)) ? RelayPort : options.RelayPort,
            InterfaceName = Interface ?? options.InterfaceName,
            JournalPath = JournalPath is null ? options.JournalPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath),
        };

        string endpoint = $"{options.ListenAddress}:{options.Port}" + (options.InterfaceName is null ? "" : $" on {options.InterfaceName}");
        if (!ShouldProcess(endpoint, $"Start DHCP server for {fleet.Nodes.Count} node(s) from '{fleetPath}'"))
        {
            return;
        }

        BootServiceJob job = CreateJob(fleet, options, fleetPath);
        if (Wait)
        {
            RunInForeground(job);
            return;
        }

        BootJobRegistration.Register(this, job);
        job.StartJob();
        WaitUntilListening(job);
        WriteObject(job);
    }

    protected override void StopProcessing() => _foreground?.StopJob();

    /// <summary>
    /// Returns the job only once its sockets are bound (or it failed binding), so the next line of a
    /// runbook can send traffic at once. A bind failure is not thrown here: the job is Failed with the reason.
    /// </summary>
    private static void WaitUntilListening(BootServiceJob job)
    {
        if (job.Service is Hosting.IListeningService listening)
        {
            try
            {
                listening.WhenListening.Wait(TimeSpan.FromSeconds(15));
            }
            catch (AggregateException)
            {
                // Reported by the job itself (state Failed, an ErrorRecord with a stable id).
            }
        }
    }

    private FleetConfig LoadFleet(string fleetPath)
    {
        if (!File.Exists(fleetPath))
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"Fleet file '{fleetPath}' does not exist.", fleetPath),
                ErrorIds.FleetFileNotFound, ErrorCategory.ObjectNotFound, fleetPath));
        }

        FleetLoadResult result = FleetLoader.LoadFile(fleetPath);
        if (result.Fleet is null)
        {
            // The engine's exception: Errors holds every FleetError, the message lists them compiler-style.
            ThrowTerminatingError(new ErrorRecord(
                new FleetValidationException(result.Errors),
                ErrorIds.FleetFileInvalid, ErrorCategory.InvalidData, fleetPath));
        }

        return result.Fleet!;
    }

    private BootServiceJob CreateJob(FleetConfig fleet, DhcpServerOptions options, string fleetPath)
    {
        DhcpServer server;
        try
        {
            server = new DhcpServer(fleet, options);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Net.Sockets.SocketException or UnauthorizedAccessException or IOException)
        {
            // Same stable ids as a job that fails after starting (NfBootServiceAddressInUse, ...).
            ThrowTerminatingError(BootJobErrors.FromFailure(ex, fleetPath));
            throw;
        }

        string command = string.IsNullOrWhiteSpace(MyInvocation.Line) ? MyInvocation.MyCommand.Name : MyInvocation.Line.Trim();
        return new BootServiceJob(server, command, Name, EventBufferSize);
    }

    /// <summary>-Wait: the same job, unregistered, its streams relayed to this pipeline until it ends or Ctrl+C stops it.</summary>
    private void RunInForeground(BootServiceJob job)
    {
        using var dataAdded = new AutoResetEvent(false);
        void Signal(object? sender, DataAddedEventArgs e) => dataAdded.Set();
        job.Output.DataAdded += Signal;
        job.Warning.DataAdded += Signal;
        job.Verbose.DataAdded += Signal;
        _foreground = job;
        try
        {
            job.StartJob();
            WaitHandle[] handles = [dataAdded, job.Finished];
            while (WaitHandle.WaitAny(handles) == 0)
            {
                Relay(job);
            }

            Relay(job);
            if (job.JobStateInfo.State == JobState.Failed && job.Error.Count > 0)
            {
                ThrowTerminatingError(job.Error[0]);
            }
        }
        finally
        {
            job.Output.DataAdded -= Signal;
            job.Warning.DataAdded -= Signal;
            job.Verbose.DataAdded -= Signal;
            job.Dispose();
        }
    }

    private void Relay(BootServiceJob job)
    {
        foreach (VerboseRecord record in job.Verbose.ReadAll())
        {
            WriteVerbose(record.Message);
        }

        foreach (WarningRecord record in job.Warning.ReadAll())
        {
            WriteWarning(record.Message);
        }

        foreach (PSObject item in job.Output.ReadAll())
        {
            WriteObject(item);
        }
    }
}
