using System.Net;
using NodeFoundry.Boot;
using NodeFoundry.Events;

namespace NodeFoundry.Dhcp;

/// <summary>What the DHCP engine did for one client message.</summary>
public enum LeaseEventKind
{
    Offered,
    Granted,
    Renewed,
    Released,
    Declined,
    Refused,
    Informed,
    Ignored,
}

/// <summary>
/// A DHCP decision streamed to Receive-Job and the boot timeline: which address and which boot file
/// a client got, and why.
/// </summary>
public sealed record LeaseEvent : BootEvent
{
    public override string Source => "dhcp";

    public required LeaseEventKind Kind { get; init; }

    /// <summary>Transaction id of the client message this answers.</summary>
    public uint TransactionId { get; init; }

    /// <summary>Address offered or granted (null for boot-only proxyDHCP answers and refusals).</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Name of the range the address came from ("pxe", "normal", "reservation").</summary>
    public string? Pool { get; init; }

    public string? HostName { get; init; }

    public DateTimeOffset? LeaseExpires { get; init; }

    public FirmwareKind Firmware { get; init; }

    /// <summary>Raw option 93 code the client sent, when it sent one.</summary>
    public ushort? ClientArchitecture { get; init; }

    /// <summary>The client machine UUID the client sent (option 97), for the fleet inventory.</summary>
    public Guid? ClientUuid { get; init; }

    /// <summary>True when the client identified itself as iPXE (option 77 or 175).</summary>
    public bool IsIpxe { get; init; }

    /// <summary>Boot file (NBP name or script URL) handed out, if any.</summary>
    public string? BootFile { get; init; }

    /// <summary>Next-server (siaddr) handed out, if any.</summary>
    public IPAddress? NextServer { get; init; }

    /// <summary>Relay agent (giaddr) the request came through, if relayed.</summary>
    public IPAddress? RelayAgent { get; init; }

    /// <summary>Why: the reason for a refusal or an ignore, or a note on the decision.</summary>
    public string? Reason { get; init; }
}
