using NodeFoundry.Events;

namespace NodeFoundry.Http;

/// <summary>
/// The discovery script of a node the fleet does not list called <c>discover/{mac}</c> (http.unknownNodes: discovery).
/// <see cref="BootEvent.MacAddress"/> is the MAC it reported, <see cref="BootEvent.IPAddress"/> its address.
/// </summary>
public sealed record NodeDiscoveredEvent : BootEvent
{
    public override string Source => "http";

    /// <summary>The SMBIOS UUID iPXE reported (<c>${uuid}</c>), or null when it sent none.</summary>
    public string? Uuid { get; init; }

    /// <summary>iPXE's <c>${platform}</c> (pcbios, efi), or null.</summary>
    public string? Platform { get; init; }

    /// <summary>iPXE's <c>${buildarch}</c> (i386, x86_64, arm64), or null.</summary>
    public string? BuildArch { get; init; }
}
