using System.Management.Automation;
using System.Net.NetworkInformation;
using System.Net;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Completion;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.PowerShell.Leases;

namespace NodeFoundry.PowerShell.Commands;

/// <summary>Lists DHCP leases from a running Start-NfDhcpServer or Start-NfBootStack job, or offline from a lease journal.</summary>
[Cmdlet(VerbsCommon.Get, "NfLease", DefaultParameterSetName = JobSet)]
[OutputType(typeof(Lease))]
public sealed class GetNfLeaseCommand : PSCmdlet
{
    private const string JobSet = "Job";
    private const string JournalSet = "Journal";

    /// <summary>The DHCP server job(s) to ask, as returned by Start-NfDhcpServer or Get-Job.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public Job[] Job { get; set; } = [];

    /// <summary>A lease journal file to read while no server runs.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JournalSet)]
    [ValidateNotNullOrEmpty]
    public string JournalPath { get; set; } = string.Empty;

    /// <summary>Only leases of these hardware addresses.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FleetMacAddressCompleter))]
    public PhysicalAddress[]? MacAddress { get; set; }

    /// <summary>Only leases of these IP addresses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? Address { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == JournalSet)
        {
            WriteLeases(ReadJournal());
            return;
        }

        foreach (Job job in Job)
        {
            DhcpServer? server = (job as BootServiceJob)?.Service switch
            {
                DhcpServer dhcp => dhcp,
                BootStack stack => stack.Dhcp,
                _ => null,
            };
            if (server is not null)
            {
                WriteLeases(server.GetLeases());
            }
            else
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"Job {job.Id} ('{job.Name}') is not a NodeFoundry DHCP server job; start one with Start-NfDhcpServer or Start-NfBootStack."),
                    ErrorIds.JobNotDhcpServer, ErrorCategory.InvalidArgument, job));
            }
        }
    }

    private IReadOnlyList<Lease> ReadJournal()
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
        if (!File.Exists(path))
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"Lease journal '{path}' does not exist.", path),
                ErrorIds.LeaseJournalNotFound, ErrorCategory.ObjectNotFound, path));
        }

        try
        {
            return LeaseJournal.ReadLeases(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.LeaseJournalUnreadable, ErrorCategory.ReadError, path));
            throw;
        }
    }

    private void WriteLeases(IEnumerable<Lease> leases)
    {
        foreach (Lease lease in LeaseFilter.Apply(leases, MacAddress, Address))
        {
            WriteObject(lease);
        }
    }
}
