using System.Net;
using NodeFoundry.Boot;

namespace NodeFoundry.Dhcp;

/// <summary>The boot half of a DHCP answer: what to load, from where, and how to label the reply.</summary>
public sealed record BootDecision
{
    /// <summary>No boot information (a plain OS client, or a firmware we do not recognise).</summary>
    public static BootDecision None(FirmwareKind firmware, string reason) =>
        new() { Firmware = firmware, Reason = reason };

    public FirmwareKind Firmware { get; init; }

    /// <summary>Client is iPXE (user class, option 175, or a per-node override): it gets the script.</summary>
    public bool IsIpxe { get; init; }

    /// <summary>NBP file name, or a full URL (HTTP Boot and iPXE scripts). Null: no boot information.</summary>
    public string? BootFile { get; init; }

    /// <summary>siaddr: the TFTP/boot server. Null when no boot file is given.</summary>
    public IPAddress? NextServer { get; init; }

    /// <summary>Option 60 to put in the reply: <c>PXEClient</c> or <c>HTTPClient</c> (HTTP Boot requires the echo).</summary>
    public string? VendorClass { get; init; }

    /// <summary>Why the decision came out this way, for events and logs.</summary>
    public string? Reason { get; init; }

    public bool HasBootFile => BootFile is not null;
}
