
namespace NodeFoundry.Fleet;

/// <summary>
/// Reads fleet files: YAML → checked model. Every problem is reported at once with its line, column, field path,
/// value and a fix; a file with any error yields no fleet at all.
/// </summary>
public static class FleetLoader
{
    /// <summary>Loads and checks the fleet file at <paramref name="path"/>; relative folders resolve against its folder.</summary>
    public static FleetLoadResult LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            var error = new FleetError(path, 1, 1, string.Empty, path, $"Cannot read the fleet file '{path}': {ex.Message}",
                ex is FileNotFoundException or DirectoryNotFoundException
                    ? "Check the path; start from examples/lab.yaml for a new fleet."
                    : "Check that the file exists and that you may read it.");
            return new FleetLoadResult(null, [error]);
        }

        return Load(text, path, Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory(), fullPath);
    }

    /// <summary>
    /// Parses and checks fleet YAML. <paramref name="sourceName"/> names the text in errors; relative folders resolve
    /// against <paramref name="baseDirectory"/> (the current directory when null).
    /// </summary>
    public static FleetLoadResult Parse(string yamlText, string sourceName = "fleet.yaml", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourceName);
        return Load(yamlText, sourceName, Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory()), sourcePath: null);
    }

    /// <summary>Loads the fleet file at <paramref name="path"/>, or throws a <see cref="FleetValidationException"/> listing every error.</summary>
    public static FleetConfig LoadFileOrThrow(string path)
    {
        FleetLoadResult result = LoadFile(path);
        return result.Fleet ?? throw new FleetValidationException(result.Errors);
    }

    private static FleetLoadResult Load(string text, string sourceName, string baseDirectory, string? sourcePath)
    {
        var diagnostics = new FleetDiagnostics(sourceName);
        FleetDraft? draft = new FleetYamlReader(diagnostics, text).Read();
        if (draft is not null)
        {
            new FleetValidator(diagnostics, draft).Validate();
        }

        if (draft is null || diagnostics.Count > 0)
        {
            return new FleetLoadResult(null, diagnostics.Errors);
        }

        return new FleetLoadResult(Build(draft, baseDirectory, sourcePath), []);
    }

    /// <summary>Turns a draft that passed every check into the immutable model.</summary>
    private static FleetConfig Build(FleetDraft draft, string baseDirectory, string? sourcePath)
    {
        ServerDraft s = draft.Server;
        var server = new ServerSettings
        {
            Address = s.Address ?? throw new InvalidOperationException("A checked fleet has a server address."),
            Interface = s.Interface,
            TftpPort = s.TftpPort,
            HttpPort = s.HttpPort,
            TftpRoot = Path.GetFullPath(s.TftpRoot, baseDirectory),
            HttpRoot = Path.GetFullPath(s.HttpRoot, baseDirectory),
            StateDirectory = Path.GetFullPath(s.StateDirectory, baseDirectory),
        };

        DhcpDraft d = draft.Dhcp;
        var dhcp = new DhcpSettings
        {
            Mode = d.Mode,
            Port = d.Port,
            NonPxeClients = d.NonPxeClients,
            AnswerUnknownPxeClients = d.AnswerUnknownPxeClients,
            OfferHold = d.OfferHold,
            MaxRequestsPerMacPerSecond = d.MaxRequestsPerMacPerSecond,
            Scopes = Array.AsReadOnly(d.Scopes.Select(scope => new DhcpScope
            {
                Name = scope.Name ?? scope.Subnet!.Value.ToString(),
                Subnet = scope.Subnet ?? throw new InvalidOperationException("A checked scope has a subnet."),
                Router = scope.Router,
                DnsServers = Array.AsReadOnly(scope.DnsServers.ToArray()),
                DomainName = scope.DomainName,
                Range = scope.Range?.Value,
                LeaseTime = scope.LeaseTime,
                PxeRange = scope.PxeRange?.Value,
                PxeLeaseTime = scope.PxeLeaseTime,
                RelayAgents = Array.AsReadOnly(scope.RelayAgents.Select(r => r.Address).ToArray()),
            }).ToArray()),
        };

        TftpDraft t = draft.Tftp;
        var tftp = new TftpSettings
        {
            MaxActiveTransfers = t.MaxActiveTransfers,
            MaxQueuedTransfers = t.MaxQueuedTransfers,
            MaxQueueWait = t.MaxQueueWait,
            MaxBlockSize = t.MaxBlockSize,
            MaxWindowSize = t.MaxWindowSize,
            SinglePort = t.SinglePort,
            MaxRetries = t.MaxRetries,
            RetransmitsPerClientTimeout = t.RetransmitsPerClientTimeout,
            DoubleResendAfterTimeouts = t.DoubleResendAfterTimeouts,
            MaxCachedFileBytes = t.MaxCachedFileBytes,
            LoopNice = t.LoopNice,
        };

        var http = new HttpSettings
        {
            UnknownNodes = draft.Http.UnknownNodes,
            DiscoveryDelay = draft.Http.DiscoveryDelay,
            DisarmAfterInstall = draft.Http.DisarmAfterInstall,
            MaxConnections = draft.Http.MaxConnections,
            EgressMbps = draft.Http.EgressMbps,
        };

        var storage = new StorageSettings { Kind = draft.Storage.Kind, Connection = draft.Storage.Connection, EventRetention = draft.Storage.EventRetention };

        BootDraft b = draft.Boot;
        var boot = new BootSettings
        {
            Loaders = BootSettings.Copy(b.Loaders),
            HttpBaseUrl = b.HttpBaseUrl ?? BootSettings.DefaultHttpBaseUrl(server.Address, server.HttpPort),
            IpxeScriptUrl = b.IpxeScriptUrl,
            ChainTimeout = b.ChainTimeout,
            Attempts = b.Attempts,
        };

        Dictionary<string, BootProfile> profiles = draft.Profiles.ToDictionary(
            p => p.Name,
            p => new BootProfile
            {
                Name = p.Name,
                Os = p.Os ?? throw new InvalidOperationException("A checked profile has an os."),
                Kernel = p.Kernel,
                Initrd = p.Initrd,
                Cmdline = p.Cmdline,
                Arch = p.Arch,
                SerialConsole = p.SerialConsole,
                Repo = p.Repo,
                Url = p.Url,
                Install = p.Install,
                Extra = new Dictionary<string, string>(p.Extra, StringComparer.OrdinalIgnoreCase).AsReadOnly(),
            },
            StringComparer.OrdinalIgnoreCase);

        FleetNode[] nodes = draft.Nodes.Select(n => new FleetNode
        {
            Name = n.Name ?? throw new InvalidOperationException("A checked node has a name."),
            MacAddress = n.Mac ?? throw new InvalidOperationException("A checked node has a MAC address."),
            Uuid = n.Uuid,
            HostName = n.HostName ?? n.Name,
            Address = n.Address,
            Profile = n.Profile is null ? null : profiles[n.Profile].Name,
            Bmc = n.Bmc is null
                ? null
                : new BmcSettings
                {
                    Address = n.Bmc.Address ?? throw new InvalidOperationException("A checked BMC has an address."),
                    Protocol = n.Bmc.Protocol,
                    Port = n.Bmc.Port,
                    Credential = n.Bmc.Credential,
                },
            Boot = n.Boot,
            SourcePath = sourcePath,
            Line = n.Line,
        }).ToArray();

        return new FleetConfig
        {
            SourcePath = sourcePath,
            Version = draft.Version,
            Server = server,
            Dhcp = dhcp,
            Tftp = tftp,
            Http = http,
            Storage = storage,
            Boot = boot,
            Profiles = profiles,
            Nodes = nodes,
        };
    }
}
