using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;

namespace NodeFoundry.PowerShell.Leases;

/// <summary>Get-NfLease's filters: a lease passes when it matches any given MAC and any given address.</summary>
internal static class LeaseFilter
{
    public static IEnumerable<Lease> Apply(
        IEnumerable<Lease> leases, IReadOnlyCollection<PhysicalAddress>? macAddresses, IReadOnlyCollection<IPAddress>? addresses)
    {
        ArgumentNullException.ThrowIfNull(leases);
        return leases.Where(lease =>
            (macAddresses is null || macAddresses.Count == 0 || macAddresses.Contains(lease.MacAddress))
            && (addresses is null || addresses.Count == 0 || addresses.Contains(lease.Address)));
    }
}
