using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;

namespace NodeFoundry.Fleet;

// A fleet file as read, before it is checked as a whole. Every value that failed to parse is null (its error is
// already reported), so the cross-field checks can still run on everything else and report every problem at once.
// Each part keeps its field path, which FleetDiagnostics maps back to a line and column.

internal sealed class FleetDraft
{
    public int Version { get; set; } = 1;

    public ServerDraft Server { get; } = new();

    public DhcpDraft Dhcp { get; } = new();

    public TftpDraft Tftp { get; } = new();

    public HttpDraft Http { get; } = new();

    public StorageDraft Storage { get; } = new();

    public BootDraft Boot { get; } = new();

    public List<ProfileDraft> Profiles { get; } = [];

    /// <summary>Every profile name written under <c>profiles</c>, even those whose body failed to read.</summary>
    public HashSet<string> ProfileNames { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<NodeDraft> Nodes { get; } = [];
}

internal sealed class ServerDraft
{
    public IPAddress? Address { get; set; }

    public string? Interface { get; set; }

    public int TftpPort { get; set; } = 69;

    public int HttpPort { get; set; } = 80;

    public string TftpRoot { get; set; } = "tftp";

    public string HttpRoot { get; set; } = "http";

    public string StateDirectory { get; set; } = "state";
}

internal sealed class TftpDraft
{
    public int MaxActiveTransfers { get; set; } = 64;

    public int MaxQueuedTransfers { get; set; } = 4096;

    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(2);

    public int MaxBlockSize { get; set; } = 1468;

    public int MaxWindowSize { get; set; } = 64;

    public bool SinglePort { get; set; }

    public int MaxRetries { get; set; } = 6;

    public int RetransmitsPerClientTimeout { get; set; } = 8;

    public int DoubleResendAfterTimeouts { get; set; } = 2;

    public long MaxCachedFileBytes { get; set; } = 16 << 20;

    public int LoopNice { get; set; } = -5;
}

internal sealed class StorageDraft
{
    public StorageKind Kind { get; set; } = StorageKind.Journal;

    public SecretReference? Connection { get; set; }

    public TimeSpan? EventRetention { get; set; } = StorageSettings.DefaultEventRetention;
}

internal sealed class HttpDraft
{
    public UnknownNodePolicy UnknownNodes { get; set; } = UnknownNodePolicy.Discovery;

    public TimeSpan DiscoveryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public bool DisarmAfterInstall { get; set; }

    public int MaxConnections { get; set; } = HttpSettings.DefaultMaxConnections;

    public int? EgressMbps { get; set; }
}

internal sealed class DhcpDraft
{
    public DhcpMode Mode { get; set; } = DhcpMode.Authoritative;

    public int Port { get; set; } = 67;

    public NonPxeClientPolicy NonPxeClients { get; set; } = NonPxeClientPolicy.NormalRange;

    public bool AnswerUnknownPxeClients { get; set; } = true;

    public List<ScopeDraft> Scopes { get; } = [];

    /// <summary>Entries written under <c>dhcp.scopes</c>, including those that failed to read.</summary>
    public int ScopeEntries { get; set; }

    public TimeSpan OfferHold { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRequestsPerMacPerSecond { get; set; } = 20;
}

internal sealed class ScopeDraft(string path)
{
    public string Path { get; } = path;

    public string? Name { get; set; }

    public IPNetwork? Subnet { get; set; }

    public IPAddress? Router { get; set; }

    public List<IPAddress> DnsServers { get; } = [];

    public string? DomainName { get; set; }

    public RangeDraft? Range { get; set; }

    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromHours(12);

    public RangeDraft? PxeRange { get; set; }

    public TimeSpan PxeLeaseTime { get; set; } = TimeSpan.FromMinutes(5);

    public List<(IPAddress Address, string Path)> RelayAgents { get; } = [];

    public string DisplayName => Name ?? Subnet?.ToString() ?? Path;
}

internal sealed class RangeDraft(string path)
{
    public string Path { get; } = path;

    public IPAddress? Start { get; set; }

    public IPAddress? End { get; set; }

    /// <summary>Set once start and end parsed and start ≤ end.</summary>
    public AddressRange? Value { get; set; }
}

internal sealed class BootDraft
{
    public Dictionary<FirmwareKind, string> Loaders { get; } = new(BootSettings.DefaultLoaders);

    public string? HttpBaseUrl { get; set; }

    public string IpxeScriptUrl { get; set; } = BootSettings.DefaultIpxeScriptUrl;

    public TimeSpan ChainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int Attempts { get; set; } = 3;
}

internal sealed class ProfileDraft(string path, string name)
{
    public string Path { get; } = path;

    public string Name { get; } = name;

    public string? Os { get; set; }

    public string? Kernel { get; set; }

    public string? Initrd { get; set; }

    public string? Cmdline { get; set; }

    public string? Arch { get; set; }

    public string? SerialConsole { get; set; }

    public string? Repo { get; set; }

    public string? Url { get; set; }

    public InstallSettings Install { get; set; } = InstallSettings.Default;

    public Dictionary<string, string> Extra { get; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class NodeDraft(string path, int line)
{
    public string Path { get; } = path;

    public int Line { get; } = line;

    public string? Name { get; set; }

    public PhysicalAddress? Mac { get; set; }

    public Guid? Uuid { get; set; }

    public string? HostName { get; set; }

    public IPAddress? Address { get; set; }

    public string? Profile { get; set; }

    public BmcDraft? Bmc { get; set; }

    public NodeBootOverride? Boot { get; set; }

    public string DisplayName => Name ?? Path;
}

internal sealed class BmcDraft(string path)
{
    public string Path { get; } = path;

    public string? Address { get; set; }

    public string Protocol { get; set; } = "ipmi";

    public int? Port { get; set; }

    public string? Credential { get; set; }
}
