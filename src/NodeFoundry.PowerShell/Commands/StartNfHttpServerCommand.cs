using System.Management.Automation;
using System.Net;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Http;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Starts the HTTP engine that serves everything after the boot loader (iPXE scripts, kernels, initrds, ISOs),
/// configured by a fleet file (server.address, server.httpPort, server.httpRoot): as a job (default) or in the
/// foreground with -Wait.
/// </summary>
/// <remarks>Everything but the HTTP options lives in <see cref="StartBootServiceCommand{TOptions}"/>.</remarks>
[Cmdlet(VerbsLifecycle.Start, "NfHttpServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = AsJobSet)]
[OutputType(typeof(BootServiceJob), ParameterSetName = [AsJobSet])]
[OutputType(typeof(HttpRequestEvent), ParameterSetName = [WaitSet])]
public sealed class StartNfHttpServerCommand : StartBootServiceCommand<HttpServerOptions>
{
    /// <summary>Port to bind (overrides the fleet file).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Folder of static files (overrides the fleet file's server.httpRoot).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>Most connections open at once; the next is answered 503 (1024 by default).</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxConnections { get; set; }

    protected override string Protocol => "HTTP";

    protected override HttpServerOptions Configure(FleetConfig fleet)
    {
        HttpServerOptions options = HttpServerOptions.FromFleet(fleet);
        options = options with
        {
            ListenAddress = ListenAddress ?? options.ListenAddress,
            Port = IsBound(nameof(Port)) ? Port : options.Port,
            Root = Root is null ? options.Root : ResolvePath(Root),
            MaxConnections = IsBound(nameof(MaxConnections)) ? MaxConnections : options.MaxConnections,
        };

        if (!Directory.Exists(options.Root))
        {
            // Not fatal for the engine: routes still answer and files are 404 until the folder exists.
            WriteWarning($"The HTTP root '{options.Root}' does not exist; every file request is answered 404 until it does.");
        }

        return options;
    }

    protected override (IPAddress Address, int Port, string? Interface) EndpointOf(HttpServerOptions options) =>
        (options.ListenAddress, options.Port, null);

    protected override string Describe(FleetConfig fleet, HttpServerOptions options) => $"for the files in '{options.Root}'";

    protected override IBootService CreateService(FleetConfig fleet, HttpServerOptions options) => new HttpBootServer(options);
}
