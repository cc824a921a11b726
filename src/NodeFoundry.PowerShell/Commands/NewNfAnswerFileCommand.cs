using System.Management.Automation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>Renders the unattended-install answer files of fleet nodes, lints them, and optionally writes them.</summary>
[Cmdlet(VerbsCommon.New, "NfAnswerFile", DefaultParameterSetName = FleetSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AnswerFile))]
public sealed class NewNfAnswerFileCommand : PSCmdlet
{
    private const string FleetSet = "Fleet";
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

    /// <summary>Only these files (for example MetaData); all of each node's files when omitted.</summary>
    [Parameter(ParameterSetName = FleetSet)]
    [ValidateNotNullOrEmpty]
    public AnswerFileKind[]? Kind { get; set; }

    /// <summary>Folder to write the files to (mirroring the HTTP routes); omitted, nothing is written.</summary>
    [Parameter(ParameterSetName = FleetSet)]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>Write files even when the lint found errors.</summary>
    [Parameter(ParameterSetName = FleetSet)]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => _rendering = new FleetRendering(this);

    protected override void ProcessRecord()
    {
        FleetRendering rendering = _rendering!;
        FleetConfig? fleet = rendering.Load(FleetPath);
        if (fleet is null)
        {
            return;
        }

        var renderer = new BootRenderer(fleet);
        foreach (FleetNode node in rendering.Select(fleet, Name))
        {
            foreach (AnswerFile rendered in renderer.RenderAnswerFiles(node, Kind))
            {
                AnswerFile file = rendered;
                bool valid = rendering.Report($"{file.NodeName} {file.Route}", file.Findings, ErrorIds.AnswerFileLintFailed, file);
                if (OutputPath is not null && (valid || Force))
                {
                    string? path = rendering.Write(OutputPath, file.Route, file.Text, $"the {file.Kind} answer file of {file.NodeName}");
                    if (path is not null)
                    {
                        file = file with { Path = path };
                    }
                }

                WriteObject(file);
            }
        }
    }
}
