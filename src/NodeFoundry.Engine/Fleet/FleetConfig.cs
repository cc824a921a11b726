using System.Net.NetworkInformation;

namespace NodeFoundry.Fleet;

/// <summary>A loaded, validated fleet file: the one source of truth for what boots where.</summary>
public sealed class FleetConfig
{
    private readonly IReadOnlyDictionary<string, BootProfile> _profiles =
        new Dictionary<string, BootProfile>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    private readonly IReadOnlyList<FleetNode> _nodes = [];
    private readonly Dictionary<PhysicalAddress, FleetNode> _byMac = [];
    private readonly Dictionary<string, FleetNode> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Full path of the file this was loaded from; null when parsed from text.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Fleet file format version (<c>version</c>); currently always 1.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The boot server itself.</summary>
    public required ServerSettings Server { get; init; }

    /// <summary>DHCP behaviour and scopes.</summary>
    public required DhcpSettings Dhcp { get; init; }

    /// <summary>TFTP transfer limits and pacing; defaults when the file has no <c>tftp</c> section.</summary>
    public TftpSettings Tftp { get; init; } = new();

    /// <summary>Per-node HTTP routes: unknown nodes, phone-home; defaults when the file has no <c>http</c> section.</summary>
    public HttpSettings Http { get; init; } = new();

    /// <summary>Where leases are kept: the local journal (default) or a shared PostgreSQL database.</summary>
    public StorageSettings Storage { get; init; } = new();

    /// <summary>Loaders and URLs handed to booting clients.</summary>
    public required BootSettings Boot { get; init; }

    /// <summary>Install profiles by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, BootProfile> Profiles
    {
        get => _profiles;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            var copy = new Dictionary<string, BootProfile>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, BootProfile> pair in value)
            {
                copy.Add(pair.Key, pair.Value);
            }

            _profiles = copy.AsReadOnly();
        }
    }

    /// <summary>The nodes, in file order. Setting it builds the MAC and name indexes (first entry wins on a duplicate).</summary>
    public IReadOnlyList<FleetNode> Nodes
    {
        get => _nodes;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _nodes = Array.AsReadOnly(value.ToArray());
            _byMac.Clear();
            _byName.Clear();
            foreach (FleetNode node in _nodes)
            {
                _byMac.TryAdd(node.MacAddress, node);
                _byName.TryAdd(node.Name, node);
            }
        }
    }

    /// <summary>The node with this boot MAC address, or null. O(1).</summary>
    public FleetNode? FindByMac(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        return _byMac.GetValueOrDefault(mac);
    }

    /// <summary>The node with this name (case-insensitive), or null. O(1).</summary>
    public FleetNode? FindByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.GetValueOrDefault(name);
    }

    /// <summary>The profile with this name (case-insensitive), or null.</summary>
    public BootProfile? FindProfile(string? name) => name is null ? null : _profiles.GetValueOrDefault(name);
}
