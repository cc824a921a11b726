using System.Globalization;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;

namespace NodeFoundry.Host;

internal static class LeasesCommand
{
    public static int Run(ArgumentReader options, TextWriter output)
    {
        var path = options.Require("journal");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"no lease journal at '{path}'; give the path the server was started with (state/leases.journal beside the fleet file by default)");
        }

        var leases = LeaseJournal.ReadLeases(path);
        output.WriteLine($"{"MAC",-17} {"Address",-15} {"State",-8} {"Pool",-16} {"Expires (UTC)",-20} HostName");
        foreach (var lease in leases.OrderBy(l => l.Address.GetAddressBytes(), ByteOrder.Instance))
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{MacAddressText.Format(lease.MacAddress),-17} {lease.Address,-15} {lease.State,-8} {lease.Pool,-16} {lease.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {lease.HostName}"));
        }

        return 0;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
