using System.Net;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;

namespace NodeFoundry.Dhcp;

/// <summary>How a DHCP server binds and persists; what it answers comes from the fleet file.</summary>
public sealed record DhcpServerOptions
{
    /// <summary>Address to bind. <see cref="IPAddress.Any"/> plus <see cref="InterfaceName"/> is the production shape.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>The DHCP server port (67).</summary>
    public int Port { get; init; } = 67;

    /// <summary>PXE boot-server discovery port, used in proxyDHCP mode (4011).</summary>
    public int ProxyPort { get; init; } = 4011;

    /// <summary>Port clients listen on (68); replies that are not relayed go there.</summary>
    public int ClientPort { get; init; } = 68;

    /// <summary>Port relays listen on (67 per RFC 2131 §4.1); replies to a giaddr go there.</summary>
    public int RelayPort { get; init; } = 67;

    /// <summary>
    /// Bind to this interface (Linux SO_BINDTODEVICE): broadcasts are received and sent on it alone.
    /// Without it, broadcast replies are limited to the host when listening on loopback.
    /// </summary>
    public string? InterfaceName { get; init; }

    /// <summary>Lease journal file. Null keeps leases in memory only (tests, throwaway labs).</summary>
    public string? JournalPath { get; init; }

    public DhcpMode Mode { get; init; } = DhcpMode.Authoritative;

    /// <summary>
    /// Opens the lease store when the server starts. Null: the local journal at <see cref="JournalPath"/> (or memory).
    /// The fleet's <c>storage: { kind: postgresql }</c> sets it to a shared PostgresLeaseStore (the NodeFoundry.Postgres adapter).
    /// </summary>
    public Func<ILeaseStore>? LeaseStore { get; init; }

    /// <summary>Where in each pool the scan for never-used addresses starts (fraction of its size; see <see cref="LeaseTableOptions.ScanStartFraction"/>).</summary>
    public double AllocationStart { get; init; }

    /// <summary>
    /// Most ACKs held for one journal fsync. Larger batches mean fewer fsyncs under a storm; but the batch's
    /// ACKs leave back to back, and a burst larger than a relay's or client's default socket buffer
    /// (~208 KiB, about 90 replies with kernel overhead) is dropped there — bench/dhcp measured perfdhcp
    /// losing replies at 128. A lone request is still answered at once (the batch ends when the socket has
    /// nothing more queued).
    /// </summary>
    public int MaxBatch { get; init; } = 48;

    /// <summary>Options for a server configured by the fleet file: its port, interface, mode and state folder.</summary>
    public static DhcpServerOptions FromFleet(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        bool shared = fleet.Storage.Kind == StorageKind.PostgreSql;
        return new DhcpServerOptions
        {
            Port = fleet.Dhcp.Port,
            InterfaceName = fleet.Server.Interface,
            Mode = fleet.Dhcp.Mode,
            JournalPath = Path.Combine(fleet.Server.StateDirectory, "leases.journal"),
            LeaseStore = shared ? () => LeaseStores.OpenPostgres(fleet) : null,
            AllocationStart = shared ? LeaseStores.AllocationStartFor(fleet) : 0,
        };
    }
}
