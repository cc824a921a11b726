using System.Management.Automation;
using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Starts the DHCP engine for the nodes of a fleet file: as a job (default) that Get-Job, Receive-Job
/// and Stop-Job manage, or in the foreground with -Wait for scripts run by systemd.
/// </summary>
/// <remarks>
/// -ListenAddress is only where it binds: the server identifier is always the fleet's server.address.
/// Everything but the DHCP options lives in <see cref="StartBootServiceCommand{TOptions}"/>.
/// </remarks>
[Cmdlet(VerbsLifecycle.Start, "NfDhcpServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = AsJobSet)]
[OutputType(typeof(BootServiceJob), ParameterSetName = [AsJobSet])]
[OutputType(typeof(LeaseEvent), ParameterSetName = [WaitSet])]
public sealed class StartNfDhcpServerCommand : StartBootServiceCommand<DhcpServerOptions>
{
    /// <summary>Port to bind (overrides the fleet file).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Network interface to serve on (overrides the fleet file's server.interface).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

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

    protected override string Protocol => "DHCP";

    protected override DhcpServerOptions Configure(FleetConfig fleet)
    {
        DhcpServerOptions options = DhcpServerOptions.FromFleet(fleet);
        return options with
        {
            ListenAddress = ListenAddress ?? options.ListenAddress,
            Port = IsBound(nameof(Port)) ? Port : options.Port,
            InterfaceName = Interface ?? options.InterfaceName,
            RelayPort = IsBound(nameof(RelayPort)) ? RelayPort : options.RelayPort,
            JournalPath = JournalPath is null ? options.JournalPath : ResolvePath(JournalPath),
        };
    }

    protected override (IPAddress Address, int Port, string? Interface) EndpointOf(DhcpServerOptions options) =>
        (options.ListenAddress, options.Port, options.InterfaceName);

    protected override string Describe(FleetConfig fleet, DhcpServerOptions options) => $"for {fleet.Nodes.Count} node(s)";

    protected override IBootService CreateService(FleetConfig fleet, DhcpServerOptions options) => new DhcpServer(fleet, options);
}
