using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.BootPath;

/// <summary>
/// What the boot path should look like, when the caller knows: the boot server, the loader per firmware,
/// the node's script URL and NBP hashes. Every member is optional; without expectations the tester still
/// checks what any boot server must get right (an offer, a boot file fitting the firmware, next-server,
/// HTTPClient echoed, a script URL for iPXE, files that download). Derived from the fleet file alone,
/// never from NodeFoundry's policy code, so a NodeFoundry bug cannot hide behind itself.
/// </summary>
public sealed record BootPathExpectations
{
    /// <summary>The boot server: the expected next-server, and the DHCP server whose offer is judged when several answer.</summary>
    public IPAddress? BootServer { get; init; }

    /// <summary>The boot file per firmware kind, placeholders expanded (TFTP paths relative to the root, or full URLs).</summary>
    public IReadOnlyDictionary<FirmwareKind, string> Loaders { get; init; } = new Dictionary<FirmwareKind, string>();

    /// <summary>The iPXE script URL the probed MAC must be given, expanded; null when unknown.</summary>
    public string? ScriptUrl { get; init; }

    /// <summary>Lower-case hex SHA-256 per NBP file name (as offered), checked after the download.</summary>
    public IReadOnlyDictionary<string, string> NbpSha256 { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The expectations a fleet file sets for the node with <paramref name="mac"/> (or for an unknown client,
    /// when the fleet has no such node): the server's address, the loaders (the node's override first), the script URL.
    /// Templates that still hold a placeholder the fleet cannot fill for this client ({ip}, an unknown {uuid}) are left out.
    /// </summary>
    public static BootPathExpectations FromFleet(FleetConfig fleet, PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(mac);
        var node = fleet.FindByMac(mac);
        var loaders = new Dictionary<FirmwareKind, string>();
        foreach (var (kind, loader) in fleet.Boot.Loaders)
        {
            if (Expand(node?.Boot?.Loader ?? loader, fleet, node, mac) is { } expanded)
            {
                loaders[kind] = expanded;
            }
        }

        return new BootPathExpectations
        {
            BootServer = fleet.Server.Address,
            Loaders = loaders,
            ScriptUrl = Expand(node?.Boot?.ScriptUrl ?? fleet.Boot.IpxeScriptUrl, fleet, node, mac),
        };
    }

    private static string? Expand(string template, FleetConfig fleet, FleetNode? node, PhysicalAddress mac)
    {
        var text = template
            .Replace(BootSettings.HttpPlaceholder, fleet.Boot.HttpBaseUrl, StringComparison.Ordinal)
            .Replace(BootSettings.MacPlaceholder, MacAddressText.Format(mac), StringComparison.Ordinal)
            .Replace("{server}", fleet.Server.Address.ToString(), StringComparison.Ordinal);
        if (node is not null)
        {
            text = text.Replace(BootSettings.HostNamePlaceholder, node.HostName, StringComparison.Ordinal);
            if (node.Uuid is { } uuid)
            {
                text = text.Replace(BootSettings.UuidPlaceholder, uuid.ToString("D"), StringComparison.Ordinal);
            }
        }

        return text.Contains('{', StringComparison.Ordinal) ? null : text;
    }
}
