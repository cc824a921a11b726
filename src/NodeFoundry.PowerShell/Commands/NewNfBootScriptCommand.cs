using System.Management.Automation;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>Renders iPXE boot scripts for fleet nodes (or from explicit values), lints them, and optionally writes them.</summary>
[Cmdlet(VerbsCommon.New, "NfBootScript", DefaultParameterSetName = FleetSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BootScript))]
public sealed class NewNfBootScriptCommand : PSCmdlet
{
    private const string FleetSet = "Fleet";
    private const string ExplicitSet = "Explicit";
    private FleetRendering? _rendering;

    /// <summary>The fleet file; binds from the SourcePath of piped FleetNode objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = FleetSet)]
    [Alias("SourcePath")]
    [ValidateNotNullOrEmpty]
    public string FleetPath { get; set; } = string.Empty;

    /// <summary>Node names (wildcards allowed); all nodes when omitted. Binds from piped FleetNode objects.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = FleetSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetNodeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>What the script does; with a fleet, overrides the kind of the node's profile.</summary>
    [Parameter(ParameterSetName = FleetSet)]
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet)]
    public BootScriptKind Kind { get; set; }

    /// <summary>The node's boot MAC; omitted, the script serves any node through iPXE's ${mac}.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public string? MacAddress { get; set; }

    /// <summary>Kernel URL.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    public string? Kernel { get; set; }

    /// <summary>Initrd URL.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    public string? Initrd { get; set; }

    /// <summary>Extra kernel arguments.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    public string? Cmdline { get; set; }

    /// <summary>Chain or sanboot target URL.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    public string? Url { get; set; }

    /// <summary>NodeFoundry HTTP base URL, from which answer-file URLs derive.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    public string? HttpBaseUrl { get; set; }

    /// <summary>Install source: Ubuntu live ISO or RHEL install tree.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateNotNullOrEmpty]
    public string? RepoUrl { get; set; }

    /// <summary>Serial console such as ttyS0,115200n8.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidatePattern(@"^tty[A-Za-z]*[0-9]+(,[0-9]+([noe][5-8]?r?)?)?$")]
    public string? SerialConsole { get; set; }

    /// <summary>CPU architecture of the kernel; the script refuses to boot it under another iPXE ${buildarch}.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateSet("x86_64", "arm64")]
    public string? Arch { get; set; }

    /// <summary>Download progress timeout of each fetch.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    public TimeSpan ChainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Download attempts before the node reboots.</summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    [ValidateRange(1, 100)]
    public int Attempts { get; set; } = 3;

    /// <summary>Folder to write the scripts to (as boot/MAC.ipxe); omitted, nothing is written.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>Write scripts even when the lint found errors.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => _rendering = new FleetRendering(this);

    protected override void ProcessRecord()
    {
        FleetRendering rendering = _rendering!;
        if (ParameterSetName == ExplicitSet)
        {
            RenderExplicit(rendering);
            return;
        }

        FleetConfig? fleet = rendering.Load(FleetPath);
        if (fleet is null)
        {
            return;
        }

        var renderer = new BootRenderer(fleet);
        BootScriptKind? kind = MyInvocation.BoundParameters.ContainsKey(nameof(Kind)) ? Kind : null;
        foreach (FleetNode node in rendering.Select(fleet, Name))
        {
            BootScript script;
            try
            {
                script = renderer.RenderScript(node, kind);
            }
            catch (InvalidOperationException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.BootScriptNotRenderable, ErrorCategory.InvalidOperation, node));
                continue;
            }

            Emit(rendering, script);
        }
    }

    private void RenderExplicit(FleetRendering rendering)
    {
        PhysicalAddress? mac = null;
        if (MacAddress is not null && !MacAddressText.TryParse(MacAddress, out mac))
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{MacAddress}' is not a MAC address; write it as 52:54:00:00:00:01."),
                ErrorIds.BootScriptNotRenderable, ErrorCategory.InvalidArgument, MacAddress));
            return;
        }

        var request = new BootScriptRequest
        {
            Kind = Kind,
            MacAddress = mac,
            KernelUrl = Kernel,
            InitrdUrl = Initrd,
            Cmdline = Cmdline,
            TargetUrl = Url,
            HttpBaseUrl = HttpBaseUrl is null || HttpBaseUrl.EndsWith('/') ? HttpBaseUrl : HttpBaseUrl + "/",
            RepoUrl = RepoUrl,
            SerialConsole = SerialConsole,
            Arch = Arch,
            Timeout = ChainTimeout,
            Attempts = Attempts,
        };

        BootScript script;
        try
        {
            script = BootRenderer.RenderScript(request);
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.BootScriptNotRenderable, ErrorCategory.InvalidArgument, request));
            return;
        }

        Emit(rendering, script);
    }

    private void Emit(FleetRendering rendering, BootScript script)
    {
        string who = script.NodeName ?? script.MacAddress ?? "boot script";
        bool valid = rendering.Report(who, script.Findings, ErrorIds.BootScriptLintFailed, script);
        if (OutputPath is not null && (valid || Force))
        {
            string? file = rendering.Write(OutputPath, script.Route ?? BootRoutes.Script("default"), script.Text, $"the {IpxeScriptRenderer.KindName(script.Kind)} boot script of {who}");
            if (file is not null)
            {
                script = script with { Path = file };
            }
        }

        WriteObject(script);
    }
}
