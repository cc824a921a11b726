using System.Net;
using NodeFoundry.Storage;

namespace NodeFoundry.Hosting;

/// <summary>Which engines a <see cref="BootStack"/> runs.</summary>
[Flags]
public enum BootStackEngines
{
    None = 0,
    Dhcp = 1,
    Tftp = 2,
    Http = 4,
    All = Dhcp | Tftp | Http,
}

/// <summary>
/// Overrides of what the fleet file says, for a <see cref="BootStack"/>. Null leaves the fleet file's value.
/// </summary>
public sealed record BootStackOptions
{
    /// <summary>The address every engine binds (DHCP, TFTP and HTTP share it).</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>The interface DHCP and TFTP bind to (SO_BINDTODEVICE); empty: none, whatever the fleet file names.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>DHCP's port (0: any free port).</summary>
    public int? DhcpPort { get; init; }

    /// <summary>The port DHCP answers relays on; tests and probes on loopback set it to their own port.</summary>
    public int? DhcpRelayPort { get; init; }

    /// <summary>TFTP's port (0: any free port).</summary>
    public int? TftpPort { get; init; }

    /// <summary>HTTP's port (0: any free port).</summary>
    public int? HttpPort { get; init; }

    /// <summary>The lease journal's path.</summary>
    public string? JournalPath { get; init; }

    /// <summary>Keep leases in memory only (wins over <see cref="JournalPath"/>).</summary>
    public bool NoJournal { get; init; }

    /// <summary>
    /// Opens the store the stack records its boot events and node sightings in. Null: the fleet's shared PostgreSQL
    /// store when <c>storage.kind</c> is postgresql, else none (the in-memory timeline is the embedded default).
    /// </summary>
    public Func<IBootEventStore>? BootEventStore { get; init; }

    /// <summary>How boot events are batched, bounded and retried (defaults when null).</summary>
    public BootEventRecorderOptions? BootEventRecorder { get; init; }

    /// <summary>The engines to run; all three by default.</summary>
    public BootStackEngines Engines { get; init; } = BootStackEngines.All;
}
