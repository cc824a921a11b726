using System.Management.Automation;
using System.Net;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// What every <c>Start-Nf*Server</c> cmdlet does the same way: load and validate the fleet file, take the
/// shared parameters (-FleetFile, -ListenAddress, -Name, -Wait, -EventBufferSize; each server adds its -Port, the stack its three), ask ShouldProcess,
/// wrap the engine in a <see cref="BootServiceJob"/>, and either register it and return it once listening, or
/// run it in the foreground with -Wait until Ctrl+C. A cmdlet only says which engine, which options and what
/// it serves; one pipeline starts one server per distinct fleet file.
/// </summary>
/// <typeparam name="TOptions">The engine's options record (DhcpServerOptions, TftpServerOptions, ...).</typeparam>
public abstract class StartBootServiceCommand<TOptions> : PSCmdlet
    where TOptions : class
{
    /// <summary>Default parameter set: the server runs as a job.</summary>
    protected const string AsJobSet = "AsJob";

    /// <summary>-Wait: the server runs in the foreground.</summary>
    protected const string WaitSet = "Wait";

    /// <summary>Longest the cmdlet waits for the engine to bind before it returns the job anyway.</summary>
    internal static readonly TimeSpan ListeningTimeout = TimeSpan.FromSeconds(15);

    // Fleet files already started by this pipeline: piping every node of one fleet (Import-NfFleet) starts one server.
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private BootServiceJob? _foreground;

    /// <summary>The fleet file (YAML); binds from FileInfo.FullName and from the SourcePath of piped FleetNode objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string FleetFile { get; set; } = string.Empty;

    /// <summary>Address to bind (the engine's default: 0.0.0.0 for DHCP and TFTP, the fleet's server.address for HTTP).</summary>
    [Parameter]
    [ValidateNotNull]
    public IPAddress? ListenAddress { get; set; }

    /// <summary>Job name; the engine's name by default (<c>{protocol}@{listen}:{port}</c>, plus <c>%{interface}</c>).</summary>
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

    /// <summary>"DHCP", "TFTP", "HTTP": how messages name the server.</summary>
    protected abstract string Protocol { get; }

    /// <summary>The engine's options: the fleet file's, with this cmdlet's parameters applied.</summary>
    protected abstract TOptions Configure(FleetConfig fleet);

    /// <summary>Where the server will listen, as ShouldProcess shows it.</summary>
    protected abstract (IPAddress Address, int Port, string? Interface) EndpointOf(TOptions options);

    /// <summary>What the server serves, completing "Start {Protocol} server ..." (e.g. "for 12 node(s)").</summary>
    protected abstract string Describe(FleetConfig fleet, TOptions options);

    /// <summary>The engine, not yet running. Argument, socket and I/O exceptions become terminating errors.</summary>
    protected abstract IBootService CreateService(FleetConfig fleet, TOptions options);

    protected override void ProcessRecord()
    {
        string fleetPath = ResolvePath(FleetFile);
        if (!_started.Add(fleetPath))
        {
            WriteVerbose($"A {Protocol} server for '{fleetPath}' was already started by this pipeline.");
            return;
        }

        FleetConfig fleet = LoadFleet(fleetPath);
        FleetCompletionSource.Remember(fleetPath);
        TOptions options = Configure(fleet);
        if (!ShouldProcess(FormatEndpoint(EndpointOf(options)), $"Start {Protocol} server {Describe(fleet, options)}, configured by '{fleetPath}'"))
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

    /// <summary>True when the caller gave <paramref name="parameter"/> (so it overrides the fleet file, even when it is the default value).</summary>
    protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    /// <summary>A path as the caller meant it: relative to the current PowerShell location, not the process's.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    internal static string FormatEndpoint((IPAddress Address, int Port, string? Interface) endpoint) =>
        $"{endpoint.Address}:{endpoint.Port}" + (endpoint.Interface is null ? "" : $" on {endpoint.Interface}");

    /// <summary>
    /// Returns only once the engine's sockets are bound (or it failed binding), so the next line of a
    /// runbook can send traffic at once. A bind failure is not thrown here: the job is Failed with the reason.
    /// </summary>
    private static void WaitUntilListening(BootServiceJob job)
    {
        if (job.Service is IListeningService listening)
        {
            try
            {
                listening.WhenListening.Wait(ListeningTimeout);
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

    private BootServiceJob CreateJob(FleetConfig fleet, TOptions options, string fleetPath)
    {
        IBootService service;
        try
        {
            service = CreateService(fleet, options);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Net.Sockets.SocketException or UnauthorizedAccessException or IOException)
        {
            // Same stable ids as a job that fails after starting (NfBootServiceInvalidConfiguration, ...).
            ThrowTerminatingError(BootJobErrors.FromFailure(ex, fleetPath));
            throw;
        }

        string command = string.IsNullOrWhiteSpace(MyInvocation.Line) ? MyInvocation.MyCommand.Name : MyInvocation.Line.Trim();
        return new BootServiceJob(service, command, Name, EventBufferSize);
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
