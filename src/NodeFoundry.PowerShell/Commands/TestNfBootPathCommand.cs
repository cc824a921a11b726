using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Net.NetworkInformation;
using System.Net;
using NodeFoundry.BootPath;
using NodeFoundry.Fleet;
using NodeFoundry.PowerShell.Completion;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Tests the network boot path as clients walk it, in the seed reference's acceptance order: DHCP as each
/// firmware and as iPXE (DISCOVER only: it takes no address), the NBP over TFTP, the iPXE script and what
/// it fetches, the answer files. Writes one BootPathCheck per check, or with -Quiet a single Boolean (as
/// Test-Connection -Quiet does; [OutputType] names the check type only, as the module declares NodeFoundry types).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "NfBootPath", DefaultParameterSetName = RelaySet)]
[OutputType(typeof(BootPathCheck))]
public sealed class TestNfBootPathCommand : PSCmdlet, IDisposable
{
    private const string RelaySet = "Relay";
    private const string InterfaceSet = "Interface";

    private readonly CancellationTokenSource _stop = new();
    private FleetRendering? _fleets;
    private bool _allPassed = true;

    /// <summary>DHCP servers to ask relay style, as address or address:port (67 by default).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RelaySet)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>The interface to broadcast on, as firmware does (needs root).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = string.Empty;

    /// <summary>Relay style: the local address sent as giaddr; by default the one that routes to the first server.</summary>
    [Parameter(ParameterSetName = RelaySet)]
    [ValidateNotNull]
    public IPAddress? RelayAddress { get; set; }

    /// <summary>Relay style: the local port servers answer to (67, as for a relay).</summary>
    [Parameter(ParameterSetName = RelaySet)]
    [ValidateRange(1, 65535)]
    public int RelayPort { get; set; } = 67;

    /// <summary>A fleet file: the loaders, boot server and script URL the answers must match.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FleetFile", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string? FleetPath { get; set; }

    /// <summary>The MAC the probes carry; binds from piped fleet nodes.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public PhysicalAddress? MacAddress { get; set; }

    /// <summary>DHCP option 93 values to probe as (each also as iPXE where iPXE runs).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public ushort[] Architecture { get; set; } = [.. BootPathFirmware.DefaultArchitectures];

    /// <summary>The TFTP port on next-server.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int TftpPort { get; set; } = 69;

    /// <summary>Seconds to collect DHCP offers: every server that answers within it is seen.</summary>
    [Parameter]
    [ValidateRange(0.1, 60.0)]
    public double OfferWindowSec { get; set; } = 4;

    /// <summary>Seconds each TFTP wait and HTTP request may take.</summary>
    [Parameter]
    [Alias("Timeout")]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>Expected SHA-256 (hex) per NBP file name, e.g. @{ 'ipxe.efi' = '…' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? NbpSha256 { get; set; }

    /// <summary>Write only $true when every check passed, else $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    public void Dispose() => _stop.Dispose();

    protected override void BeginProcessing() => _fleets = new FleetRendering(this);

    protected override void StopProcessing() => _stop.Cancel();

    protected override void ProcessRecord()
    {
        FleetConfig? fleet = null;
        if (FleetPath is not null && (fleet = _fleets!.Load(FleetPath)) is null)
        {
            _allPassed = false;
            return;
        }

        if (ServerEndPoints() is not { } servers)
        {
            _allPassed = false;
            return;
        }

        PhysicalAddress? mac = MacAddress ?? fleet?.Nodes.FirstOrDefault()?.MacAddress;
        BootPathExpectations? expect = fleet is null || mac is null ? null : BootPathExpectations.FromFleet(fleet, mac);
        if (NbpSha256 is not null)
        {
            var hashes = NbpSha256.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? string.Empty, e => e.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
            expect = (expect ?? new BootPathExpectations()) with { NbpSha256 = hashes };
        }

        var options = new BootPathOptions
        {
            Servers = servers,
            RelayAddress = RelayAddress,
            RelayPort = RelayPort,
            InterfaceName = ParameterSetName == InterfaceSet ? Interface : null,
            MacAddress = mac,
            Architectures = Architecture,
            OfferWindow = TimeSpan.FromSeconds(OfferWindowSec),
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            TftpPort = TftpPort,
            Expect = expect,
        };

        IReadOnlyList<BootPathCheck> checks;
        try
        {
            var tester = new BootPathTester(options);
            WriteVerbose($"Probing {(options.InterfaceName is { } i ? $"on {i}" : $"relay style via {string.Join(", ", servers)}")} as {MacAddressText.Format(tester.MacAddress)}{(fleet is null ? string.Empty : $" against {fleet.SourcePath}")}.");
            checks = tester.RunAsync(_stop.Token).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException ex)
        {
            _allPassed = false;
            WriteError(new ErrorRecord(ex, ErrorIds.BootPathProbeNotStarted, ErrorCategory.ResourceUnavailable, options));
            return;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return; // Ctrl+C
        }

        _allPassed &= checks.All(c => c.Passed);
        if (!Quiet)
        {
            WriteObject(checks, enumerateCollection: true);
        }
    }

    protected override void EndProcessing()
    {
        if (Quiet)
        {
            WriteObject(_allPassed);
        }
    }

    /// <summary>-Server as endpoints (port 67 unless given); null after writing an error for a value that is not one.</summary>
    private List<IPEndPoint>? ServerEndPoints()
    {
        var endpoints = new List<IPEndPoint>();
        if (ParameterSetName == InterfaceSet)
        {
            return endpoints;
        }

        foreach (string text in Server)
        {
            if (IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                endpoints.Add(endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 67) : endpoint);
                continue;
            }

            WriteError(new ErrorRecord(
                new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not an IPv4 address or address:port, such as 192.0.2.1 or 127.0.0.1:1067.")),
                ErrorIds.BootPathServerInvalid, ErrorCategory.InvalidArgument, text));
            return null;
        }

        return endpoints;
    }
}
