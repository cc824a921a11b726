using System.Globalization;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Host;

internal static class LeasesCommand
{
    /// <summary>--journal PATH (a journal file), or --config FILE (the store the fleet file names: its journal or its shared database).</summary>
    public static int Run(ArgumentReader options, TextWriter output)
    {
        var leases = options.Get("config") is { } config ? ReadStore(FleetFiles.Load(config)) : ReadJournal(options.Require("journal"));
        output.WriteLine($"{"MAC",-17} {"Address",-15} {"State",-8} {"Pool",-16} {"Expires (UTC)",-20} HostName");
        foreach (var lease in leases.OrderBy(l => l.Address.GetAddressBytes(), ByteOrder.Instance))
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{MacAddressText.Format(lease.MacAddress),-17} {lease.Address,-15} {lease.State,-8} {lease.Pool,-16} {lease.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {lease.HostName}"));
        }

        return 0;
    }

    private static IReadOnlyList<Lease> ReadJournal(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"no lease journal at '{path}'; give the path the server was started with (state/leases.journal beside the fleet file by default)");
        }

        return LeaseJournal.ReadLeases(path);
    }

    /// <summary>Every server's leases when the fleet shares a PostgreSQL store; else this server's journal.</summary>
    private static IReadOnlyList<Lease> ReadStore(FleetConfig fleet)
    {
        if (fleet.Storage.Kind != StorageKind.PostgreSql)
        {
            return ReadJournal(Path.Combine(fleet.Server.StateDirectory, "leases.journal"));
        }

        using var store = LeaseStores.OpenPostgres(fleet);
        return store.ReadLeases();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
