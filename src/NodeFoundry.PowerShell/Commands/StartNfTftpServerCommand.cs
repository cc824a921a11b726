using System.Management.Automation;
using System.Net;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Tftp;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Starts the TFTP engine that hands boot loaders to PXE ROMs, configured by a fleet file (server.tftpPort,
/// server.tftpRoot, the tftp section): as a job (default) or in the foreground with -Wait.
/// </summary>
/// <remarks>Everything but the TFTP options lives in <see cref="StartBootServiceCommand{TOptions}"/>.</remarks>
[Cmdlet(VerbsLifecycle.Start, "NfTftpServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = AsJobSet)]
[OutputType(typeof(BootServiceJob), ParameterSetName = [AsJobSet])]
[OutputType(typeof(TransferEvent), ParameterSetName = [WaitSet])]
public sealed class StartNfTftpServerCommand : StartBootServiceCommand<TftpServerOptions>
{
    /// <summary>Port to bind (overrides the fleet file).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Network interface to serve on (overrides the fleet file's server.interface).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    /// <summary>Folder served, read-only (overrides the fleet file's server.tftpRoot).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>Transfers running at once before requests queue (overrides tftp.maxActiveTransfers).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int MaxActiveTransfers { get; set; }

    /// <summary>Serve every transfer from the request port (overrides tftp.singlePort; -SinglePort:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter SinglePort { get; set; }

    protected override string Protocol => "TFTP";

    protected override TftpServerOptions Configure(FleetConfig fleet)
    {
        TftpServerOptions options = TftpServerOptions.FromFleet(fleet);
        options = options with
        {
            ListenAddress = ListenAddress ?? options.ListenAddress,
            Port = IsBound(nameof(Port)) ? Port : options.Port,
            InterfaceName = Interface ?? options.InterfaceName,
            Root = Root is null ? options.Root : ResolvePath(Root),
            MaxActiveTransfers = IsBound(nameof(MaxActiveTransfers)) ? MaxActiveTransfers : options.MaxActiveTransfers,
            SinglePort = IsBound(nameof(SinglePort)) ? SinglePort.IsPresent : options.SinglePort,
        };

        if (!Directory.Exists(options.Root))
        {
            ThrowTerminatingError(new ErrorRecord(
                new DirectoryNotFoundException($"TFTP root '{options.Root}' does not exist. Create it and put the boot loaders (undionly.kpxe, snponly.efi, ...) in it, or pass -Root."),
                ErrorIds.TftpRootNotFound, ErrorCategory.ObjectNotFound, options.Root));
        }

        return options;
    }

    protected override (IPAddress Address, int Port, string? Interface) EndpointOf(TftpServerOptions options) =>
        (options.ListenAddress, options.Port, options.InterfaceName);

    protected override string Describe(FleetConfig fleet, TftpServerOptions options) => $"for the files in '{options.Root}'";

    protected override IBootService CreateService(FleetConfig fleet, TftpServerOptions options) => new TftpServer(options);
}
