using System.Management.Automation;
using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Http;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Starts the whole boot stack of a fleet file, DHCP, TFTP and HTTP (per-node routes, phone-home, /metrics)
/// publishing through one boot timeline, as ONE job: Receive-Job gives every event (leases, transfers, HTTP
/// requests, stage changes), Wait-NfNode and Get-NfBootTimeline read the timeline. One engine that cannot
/// bind stops all three, and the job fails naming it.
/// </summary>
/// <remarks>Everything but the stack's options lives in <see cref="StartBootServiceCommand{TOptions}"/>.</remarks>
[Cmdlet(VerbsLifecycle.Start, "NfBootStack", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = AsJobSet)]
[OutputType(typeof(BootServiceJob), ParameterSetName = [AsJobSet])]
[OutputType(typeof(LeaseEvent), typeof(TransferEvent), typeof(HttpRequestEvent), typeof(BootStageEvent), ParameterSetName = [WaitSet])]
public sealed class StartNfBootStackCommand : StartBootServiceCommand<BootStackOptions>
{
    /// <summary>Network interface DHCP and TFTP serve on (overrides the fleet file's server.interface).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    /// <summary>DHCP's UDP port (overrides the fleet file; 67 by default).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int DhcpPort { get; set; }

    /// <summary>TFTP's UDP port (overrides the fleet file's server.tftpPort).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int TftpPort { get; set; }

    /// <summary>HTTP's TCP port (overrides the fleet file's server.httpPort).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int HttpPort { get; set; }

    /// <summary>UDP port replies to relayed DHCP requests are sent to (67 by default); for labs and tests whose relay listens on a high port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int RelayPort { get; set; }

    /// <summary>Lease journal file (overrides the fleet file's server.stateDirectory/leases.journal).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    protected override string Protocol => "boot stack (DHCP, TFTP, HTTP)";

    protected override BootStackOptions Configure(FleetConfig fleet) => new()
    {
        ListenAddress = ListenAddress,
        InterfaceName = Interface,
        DhcpPort = IsBound(nameof(DhcpPort)) ? DhcpPort : null,
        TftpPort = IsBound(nameof(TftpPort)) ? TftpPort : null,
        HttpPort = IsBound(nameof(HttpPort)) ? HttpPort : null,
        DhcpRelayPort = IsBound(nameof(RelayPort)) ? RelayPort : null,
        JournalPath = JournalPath is null ? null : ResolvePath(JournalPath),
    };

    protected override (IPAddress Address, int Port, string? Interface) EndpointOf(BootStackOptions options) =>
        (options.ListenAddress ?? IPAddress.Any, options.DhcpPort ?? new DhcpServerOptions().Port, options.InterfaceName);

    protected override string Describe(FleetConfig fleet, BootStackOptions options) =>
        $"for {fleet.Nodes.Count} node(s) (TFTP port {options.TftpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "from the fleet file"}, HTTP port {options.HttpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "from the fleet file"})";

    protected override IBootService CreateService(FleetConfig fleet, BootStackOptions options)
    {
        var stack = new BootStack(fleet, options);
        foreach (string notice in stack.Notices)
        {
            WriteWarning(notice);
        }

        return stack;
    }
}
