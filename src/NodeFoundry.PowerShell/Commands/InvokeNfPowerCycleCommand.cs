using System.Collections.ObjectModel;
using System.Management.Automation;
using NodeFoundry.Fleet;
using NodeFoundry.Power;
using NodeFoundry.Power.Redfish;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Sets the next boot device and performs a power action on nodes out of band (IPMI v2.0 RMCP+ or Redfish), in waves
/// with a stagger between power commands. Nodes come from the pipeline: fleet nodes from Import-NfFleet (their Name
/// and Bmc properties) or any object with BmcAddress/Protocol/Port/Name. ShouldProcess is asked per node here, on the
/// pipeline thread; only confirmed nodes are powered, all together in EndProcessing. Writes one PowerCycleResult per
/// node (a failed node also writes a non-terminating NfPowerCycleFailed error), or returns a job with -AsJob.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NfPowerCycle", DefaultParameterSetName = FleetNodeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PowerCycleResult))]
[OutputType(typeof(PowerCycleJob))]
public sealed class InvokeNfPowerCycleCommand : PSCmdlet
{
    private const string FleetNodeSet = "FleetNode";
    private const string AddressSet = "Address";

    private readonly List<PowerCycleRequest> _requests = [];
    private readonly Dictionary<string, PSCredential?> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private PowerCycleJob? _foreground;

    /// <summary>The node's BMC as the fleet file describes it (binds from the Bmc property of Import-NfFleet's nodes).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FleetNodeSet)]
    [AllowNull]
    public BmcSettings? Bmc { get; set; }

    /// <summary>The BMC's address (host name, IP, or for Redfish an http(s):// URL).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = AddressSet)]
    [ValidateNotNullOrEmpty]
    public string BmcAddress { get; set; } = string.Empty;

    /// <summary>The BMC's protocol (Ipmi by default, as in the fleet file).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = AddressSet)]
    public BmcProtocol Protocol { get; set; } = BmcProtocol.Ipmi;

    /// <summary>The BMC's port; the protocol's default (623, 443) when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = AddressSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>The node's name for results and confirmation (binds from fleet nodes' Name); the BMC address when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetNodeNameCompleter))]
    public string? Name { get; set; }

    /// <summary>
    /// The BMC user name and password. When omitted, each node's fleet-file reference (<c>bmc.credential</c>) is read
    /// with SecretManagement's Get-Secret, once per name.
    /// </summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>The next boot device: Pxe (default), UefiHttp, Disk, or None to leave the boot device alone.</summary>
    [Parameter]
    [ValidateSet("Pxe", "UefiHttp", "Disk", "None")]
    public BootDevice BootDevice { get; set; } = BootDevice.Pxe;

    /// <summary>The power action: Cycle (default; powers on a node that is off), On, Off or Reset.</summary>
    [Parameter]
    [ValidateSet("Cycle", "On", "Off", "Reset")]
    public PowerAction Action { get; set; } = PowerAction.Cycle;

    /// <summary>Boot in legacy BIOS mode instead of UEFI.</summary>
    [Parameter]
    public SwitchParameter Legacy { get; set; }

    /// <summary>Keep the boot device for every boot, not only the next one.</summary>
    [Parameter]
    public SwitchParameter Persistent { get; set; }

    /// <summary>Nodes per wave; a wave starts when the previous one has finished. 0 runs all nodes in one wave.</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int BatchSize { get; set; } = 10;

    /// <summary>Least seconds between two power commands.</summary>
    [Parameter]
    [ValidateRange(0.0, 3600.0)]
    public double StaggerSeconds { get; set; } = 2;

    /// <summary>Most BMC sessions open at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>Longest each node's BMC work may take before and after its turn, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 120;

    /// <summary>Redfish: accept any TLS certificate (lab BMCs with self-signed certificates).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Run as a background job (Get-Job, Receive-Job, Stop-Job) and return it at once.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void ProcessRecord()
    {
        BmcEndpoint? endpoint = ResolveEndpoint();
        if (endpoint is null)
        {
            return;
        }

        string node = Name ?? endpoint.Host;
        BootOverride? boot = BootDevice == BootDevice.None ? null : new BootOverride(BootDevice, Uefi: !Legacy, Persistent: Persistent);
        string bootText = boot is null ? string.Empty : $"set the next boot to {BootDevice} ({(Persistent ? "persistent" : "once")}, {(Legacy ? "legacy BIOS" : "UEFI")}), then ";
        if (!ShouldProcess($"{node} ({endpoint})", $"{bootText}power {Action}"))
        {
            return;
        }

        if (ResolveCredential(node) is not { } credential)
        {
            return;
        }

        NetworkCredentialParts(credential, out string user, out string password);
        _requests.Add(new PowerCycleRequest(node, endpoint, new BmcCredential(user, password), boot, Action));
    }

    /// <summary>
    /// -Credential, else the secret the fleet file names for this node's BMC (Get-Secret, cached per name), else an
    /// error that says which of the two to provide. Runs on the pipeline thread: Get-Secret may prompt for a vault password.
    /// </summary>
    private PSCredential? ResolveCredential(string node)
    {
        if (Credential is not null)
        {
            return Credential;
        }

        if (Bmc?.Credential is not { Length: > 0 } secretName)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"{node}: no BMC credential. Pass -Credential, or name a stored credential for the node in the fleet file (nodes[].bmc.credential) and register it with Set-Secret."),
                ErrorIds.BmcCredentialMissing, ErrorCategory.InvalidArgument, node));
            return null;
        }

        if (!_secrets.TryGetValue(secretName, out PSCredential? stored))
        {
            stored = ReadSecret(node, secretName);
            _secrets[secretName] = stored;
        }

        return stored;
    }

    private PSCredential? ReadSecret(string node, string secretName)
    {
        Collection<PSObject> found;
        try
        {
            found = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($name) Get-Secret -Name $name -ErrorAction Stop"), null, secretName);
        }
        catch (Exception ex) when (ex is CommandNotFoundException || ex.InnerException is CommandNotFoundException)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"{node}: the fleet file names the BMC credential '{secretName}', but Get-Secret is not available. Install Microsoft.PowerShell.SecretManagement and a vault, store the credential with Set-Secret -Name {secretName} -Secret (Get-Credential), or pass -Credential.", ex),
                ErrorIds.BmcCredentialMissing, ErrorCategory.NotInstalled, secretName));
            return null;
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"{node}: the BMC credential '{secretName}' named in the fleet file could not be read: {ex.Message} Store it with Set-Secret -Name {secretName} -Secret (Get-Credential), or pass -Credential.", ex),
                ErrorIds.BmcCredentialMissing, ErrorCategory.ObjectNotFound, secretName));
            return null;
        }

        if (found.Count == 1 && found[0]?.BaseObject is PSCredential credential)
        {
            return credential;
        }

        string what = found.Count == 1 ? found[0]?.BaseObject?.GetType().Name ?? "nothing" : $"{found.Count} objects";
        WriteError(new ErrorRecord(
            new InvalidDataException($"{node}: the secret '{secretName}' named in the fleet file is {what}, not a PSCredential. Store it with Set-Secret -Name {secretName} -Secret (Get-Credential), or pass -Credential."),
            ErrorIds.BmcCredentialMissing, ErrorCategory.InvalidType, secretName));
        return null;
    }

    protected override void EndProcessing()
    {
        if (_requests.Count == 0)
        {
            return;
        }

        var factory = new BmcClientFactory { Redfish = new RedfishConnectOptions() };
        var orchestrator = new PowerCycleOrchestrator(
            factory.ConnectAsync,
            new PowerCycleOptions
            {
                BatchSize = BatchSize,
                Stagger = TimeSpan.FromSeconds(StaggerSeconds),
                MaxConcurrentSessions = ThrottleLimit,
                NodeTimeout = TimeSpan.FromSeconds(TimeoutSec),
            });
        string command = string.IsNullOrWhiteSpace(MyInvocation.Line) ? MyInvocation.MyCommand.Name : MyInvocation.Line.Trim();
        var job = new PowerCycleJob([.. _requests], orchestrator, command, name: null);
        if (AsJob)
        {
            JobRepository.Add(job);
            job.StartJob();
            WriteObject(job);
            return;
        }

        RunInForeground(job);
    }

    protected override void StopProcessing() => _foreground?.StopJob();

    /// <summary>The same job as -AsJob, unregistered, its streams relayed to this pipeline until it ends.</summary>
    private void RunInForeground(PowerCycleJob job)
    {
        using var dataAdded = new AutoResetEvent(false);
        void Signal(object? sender, DataAddedEventArgs e) => dataAdded.Set();
        job.Output.DataAdded += Signal;
        job.Error.DataAdded += Signal;
        job.Progress.DataAdded += Signal;
        job.Warning.DataAdded += Signal;
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
        }
        finally
        {
            job.Output.DataAdded -= Signal;
            job.Error.DataAdded -= Signal;
            job.Progress.DataAdded -= Signal;
            job.Warning.DataAdded -= Signal;
            _foreground = null;
            job.Dispose();
        }
    }

    private void Relay(PowerCycleJob job)
    {
        foreach (ProgressRecord record in job.Progress.ReadAll())
        {
            WriteProgress(record);
        }

        foreach (WarningRecord record in job.Warning.ReadAll())
        {
            WriteWarning(record.Message);
        }

        foreach (PSObject item in job.Output.ReadAll())
        {
            WriteObject(item);
        }

        foreach (ErrorRecord record in job.Error.ReadAll())
        {
            WriteError(record);
        }
    }

    private BmcEndpoint? ResolveEndpoint()
    {
        string address = BmcAddress;
        BmcProtocol protocol = Protocol;
        int? port = Port == 0 ? null : Port; // 0: not given (ValidateRange refuses it from callers)
        if (ParameterSetName == FleetNodeSet)
        {
            if (Bmc is null)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"Node '{Name}' has no bmc in its fleet file; it cannot be powered out of band."),
                    ErrorIds.NodeHasNoBmc, ErrorCategory.InvalidData, Name));
                return null;
            }

            if (!Power.BmcAddress.TryParseProtocol(Bmc.Protocol, out protocol))
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"Node '{Name}': unknown BMC protocol '{Bmc.Protocol}' (ipmi or redfish)."),
                    ErrorIds.InvalidBmcAddress, ErrorCategory.InvalidData, Name));
                return null;
            }

            address = Bmc.Address;
            port = Bmc.Port;
        }

        try
        {
            return Power.BmcAddress.ToEndpoint(address, protocol, port, SkipCertificateCheck);
        }
        catch (ArgumentException ex)
        {
            // The address itself is not the target: a refused URL may carry a password.
            WriteError(new ErrorRecord(ex, ErrorIds.InvalidBmcAddress, ErrorCategory.InvalidArgument, Name));
            return null;
        }
    }

    private static void NetworkCredentialParts(PSCredential credential, out string user, out string password)
    {
        // PowerShell prefixes a bare user name with '\' in some hosts; a BMC user never has a domain part.
        user = credential.UserName.TrimStart('\\');
        password = credential.GetNetworkCredential().Password;
    }
}
