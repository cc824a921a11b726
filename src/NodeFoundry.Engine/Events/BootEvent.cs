using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Events;

/// <summary>
/// Something an engine observed or decided about one node. Every engine (DHCP, TFTP, HTTP) emits
/// subclasses of this record; PowerShell jobs stream them as typed pipeline objects and the boot
/// timeline correlates them by MAC and IP.
/// </summary>
public abstract record BootEvent
{
    /// <summary>When the engine observed the event (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Which engine emitted it: "dhcp", "tftp", "http".</summary>
    public abstract string Source { get; }

    /// <summary>The client's hardware address where the engine knows it.</summary>
    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>The client's IP address where the engine knows it.</summary>
    public IPAddress? IPAddress { get; init; }
}
