using System.Globalization;
using System.Net;
using NodeFoundry.Boot;
using NodeFoundry.Yaml;
using NodeFoundry.Net;

namespace NodeFoundry.Fleet;

/// <summary>
/// Walks the YAML representation model of a fleet file by hand into a <see cref="FleetDraft"/>, reporting every
/// syntax, shape and value error with its line, column and field path. Cross-field rules live in
/// <see cref="FleetValidator"/>.
/// </summary>
internal sealed partial class FleetYamlReader
{
    private static readonly string[] RootKeys = ["version", "server", "dhcp", "tftp", "http", "storage", "boot", "profiles", "nodes"];
    private static readonly string[] StorageKeys = ["kind", "connection", "eventRetention"];
    private static readonly (string Name, StorageKind Value)[] StorageKinds = [("journal", StorageKind.Journal), ("postgresql", StorageKind.PostgreSql)];
    private static readonly string[] HttpKeys = ["unknownNodes", "discoveryDelay", "disarmAfterInstall", "maxConnections", "egressMbps"];
    private static readonly (string Name, UnknownNodePolicy Value)[] UnknownNodePolicies = [("discovery", UnknownNodePolicy.Discovery), ("exit", UnknownNodePolicy.Exit), ("404", UnknownNodePolicy.NotFound)];
    private static readonly string[] TftpKeys = ["maxActiveTransfers", "maxQueuedTransfers", "maxQueueWait", "maxBlockSize", "maxWindowSize", "singlePort", "maxRetries", "retransmitsPerClientTimeout", "doubleResendAfterTimeouts", "maxCachedFileBytes", "loopNice"];
    private static readonly string[] ServerKeys = ["address", "interface", "tftpPort", "httpPort", "tftpRoot", "httpRoot", "stateDirectory"];
    private static readonly string[] DhcpKeys = ["mode", "port", "nonPxeClients", "answerUnknownPxeClients", "scopes", "offerHold", "maxRequestsPerMacPerSecond"];
    private static readonly string[] ScopeKeys = ["name", "subnet", "router", "dnsServers", "domainName", "range", "leaseTime", "pxeRange", "pxeLeaseTime", "relayAgents"];
    private static readonly string[] RangeKeys = ["start", "end"];
    private static readonly string[] BootKeys = ["loaders", "httpBaseUrl", "ipxeScriptUrl", "chainTimeout", "attempts"];
    private static readonly string[] ProfileKeys = ["os", "kernel", "initrd", "cmdline", "arch", "serialConsole", "repo", "url", "install", "extra"];
    private static readonly string[] InstallKeys = ["timezone", "locale", "keyboard", "username", "passwordHash", "sshAuthorizedKeys", "storage", "disk", "packages", "phoneHome"];
    private static readonly string[] InstallSecretKeys = ["password", "pass", "passwd", "secret", "plainTextPassword", "rootpw"];
    private static readonly string[] NodeKeys = ["name", "mac", "uuid", "hostName", "address", "profile", "bmc", "boot"];
    private static readonly string[] BmcKeys = ["address", "protocol", "port", "credential"];
    private static readonly string[] NodeBootKeys = ["loader", "treatAsIpxe", "scriptUrl"];
    private static readonly string[] SecretKeys = ["password", "pass", "passwd", "secret", "username", "user", "login"];

    private static readonly (string Name, DhcpMode Value)[] DhcpModes = [("authoritative", DhcpMode.Authoritative), ("proxy", DhcpMode.Proxy)];
    private static readonly (string Name, NonPxeClientPolicy Value)[] NonPxePolicies = [("ignore", NonPxeClientPolicy.Ignore), ("normal-range", NonPxeClientPolicy.NormalRange)];
    private static readonly (string Name, string Value)[] OsNames =
        [("ubuntu", "ubuntu"), ("rhel", "rhel"), ("debian", "debian"), ("custom", "custom"), ("chain", "chain"), ("sanboot", "sanboot"), ("local", "local")];
    private static readonly (string Name, string Value)[] Arches = [("x86_64", "x86_64"), ("arm64", "arm64")];
    private static readonly (string Name, string Value)[] StorageLayouts = [("lvm", "lvm"), ("direct", "direct")];
    private static readonly (string Name, string Value)[] BmcProtocols = [("ipmi", "ipmi"), ("redfish", "redfish")];

    private readonly FleetDiagnostics _diag;
    private readonly string _text;

    public FleetYamlReader(FleetDiagnostics diagnostics, string text)
    {
        _diag = diagnostics;
        _text = text;
    }

    /// <summary>Reads the file; null when it could not be read at all (syntax error, empty, not a mapping).</summary>
    public FleetDraft? Read()
    {
        IReadOnlyList<YamlNode> documents;
        try
        {
            documents = YamlDocuments.Parse(_text);
        }
        catch (YamlSyntaxException ex)
        {
            ReportSyntax(ex);
            return null;
        }

        if (documents.Count == 0)
        {
            _diag.Add(1, 1, string.Empty, null, "The fleet file is empty.",
                "Start from examples/lab.yaml: a fleet file needs at least server.address and, in authoritative mode, one dhcp.scopes entry.");
            return null;
        }

        if (documents.Count > 1)
        {
            _diag.At(documents[1], string.Empty, "The fleet file holds more than one YAML document.",
                "Keep one document: remove the '---' separator and merge what follows into the first document.", value: string.Empty);
        }

        YamlNode root = documents[0];
        _diag.Remember(string.Empty, root);
        Map? map = OpenMap(root, string.Empty, "the fleet file", RootKeys, "server: { address: 192.0.2.1 }", allowExtensions: true);
        if (map is null)
        {
            if (IsNull(root))
            {
                _diag.Add(1, 1, string.Empty, null, "The fleet file is empty.",
                    "Start from examples/lab.yaml: a fleet file needs at least server.address and, in authoritative mode, one dhcp.scopes entry.");
            }

            return null;
        }

        var draft = new FleetDraft();
        ReadVersion(map, draft);
        ReadServer(map, draft.Server);
        ReadDhcp(map, draft.Dhcp);
        ReadTftp(map, draft.Tftp);
        ReadHttp(map, draft.Http);
        ReadStorage(map, draft.Storage);
        ReadBoot(map, draft.Boot);
        ReadProfiles(map, draft.Profiles, draft.ProfileNames);
        ReadNodes(map, draft.Nodes);
        return draft;
    }

    // ---------------------------------------------------------------- sections

    private void ReadVersion(Map root, FleetDraft draft)
    {
        int? version = Integer(root, "version", 1, int.MaxValue, "1");
        if (version is null)
        {
            return;
        }

        if (version != 1)
        {
            _diag.At(root.Value("version")!, "version",
                $"Fleet file version '{version}' is not supported by this NodeFoundry (it reads version 1).",
                "Write 'version: 1', or upgrade NodeFoundry to read newer fleet files.");
            return;
        }

        draft.Version = 1;
    }

    private void ReadServer(Map root, ServerDraft server)
    {
        YamlNode? node = root.Value("server");
        if (node is null)
        {
            Missing(root, "server", "Add a 'server:' section with the boot server's IPv4 address on the boot network, e.g. 'server: { address: 192.0.2.1 }'.");
            return;
        }

        Map? map = OpenMap(node, "server", "server", ServerKeys, "server: { address: 192.0.2.1 }");
        if (map is null)
        {
            return;
        }

        server.Address = Ipv4Value(map, "address", "192.0.2.1");
        if (map.Value("address") is null)
        {
            Missing(map, "address", "Add 'address:' with this server's IPv4 address on the boot network, such as 192.0.2.1 (it becomes next-server and DHCP option 54).");
        }

        server.Interface = NonEmptyText(map, "interface", "a network interface name such as nfbr0");
        server.TftpPort = Port(map, "tftpPort", "69") ?? server.TftpPort;
        server.HttpPort = Port(map, "httpPort", "80") ?? server.HttpPort;
        server.TftpRoot = PathText(map, "tftpRoot", "tftp") ?? server.TftpRoot;
        server.HttpRoot = PathText(map, "httpRoot", "http") ?? server.HttpRoot;
        server.StateDirectory = PathText(map, "stateDirectory", "state") ?? server.StateDirectory;
    }

    private void ReadTftp(Map root, TftpDraft tftp)
    {
        Map? map = OpenMap(root.Value("tftp"), "tftp", "tftp", TftpKeys, "tftp: { maxActiveTransfers: 64 }");
        if (map is null)
        {
            return;
        }

        tftp.MaxActiveTransfers = Integer(map, "maxActiveTransfers", 1, 10_000, "64") ?? tftp.MaxActiveTransfers;
        tftp.MaxQueuedTransfers = Integer(map, "maxQueuedTransfers", 0, 100_000, "4096") ?? tftp.MaxQueuedTransfers;
        tftp.MaxBlockSize = Integer(map, "maxBlockSize", 512, 65_464, "1468") ?? tftp.MaxBlockSize;
        tftp.MaxWindowSize = Integer(map, "maxWindowSize", 1, 65_535, "64") ?? tftp.MaxWindowSize;
        tftp.SinglePort = Bool(map, "singlePort") ?? tftp.SinglePort;
        tftp.MaxRetries = Integer(map, "maxRetries", 1, 50, "6") ?? tftp.MaxRetries;
        tftp.RetransmitsPerClientTimeout = Integer(map, "retransmitsPerClientTimeout", 1, 32, "8") ?? tftp.RetransmitsPerClientTimeout;
        tftp.DoubleResendAfterTimeouts = Integer(map, "doubleResendAfterTimeouts", 0, 50, "2") ?? tftp.DoubleResendAfterTimeouts;
        tftp.MaxCachedFileBytes = Integer(map, "maxCachedFileBytes", 0, 1 << 30, "16777216") ?? tftp.MaxCachedFileBytes;
        tftp.LoopNice = Integer(map, "loopNice", -20, 0, "-5") ?? tftp.LoopNice;
        if (Duration(map, "maxQueueWait", "2s") is { } wait)
        {
            if (wait > TimeSpan.FromSeconds(3))
            {
                // A PXE ROM gives up after about 4 s without an answer; a longer wait would let queued ROMs die.
                _diag.At(map.Child("maxQueueWait"), $"'{map.Value("maxQueueWait")}' is longer than a PXE ROM waits for an answer (about 4 s).",
                    "Use 3s or less, such as 2s.");
            }
            else
            {
                tftp.MaxQueueWait = wait;
            }
        }
    }

    private void ReadHttp(Map root, HttpDraft http)
    {
        Map? map = OpenMap(root.Value("http"), "http", "http", HttpKeys, "http: { unknownNodes: discovery, disarmAfterInstall: true }");
        if (map is null)
        {
            return;
        }

        if (TryChoice(map, "unknownNodes", UnknownNodePolicies, out UnknownNodePolicy policy))
        {
            http.UnknownNodes = policy;
        }

        http.DisarmAfterInstall = Bool(map, "disarmAfterInstall") ?? http.DisarmAfterInstall;
        http.MaxConnections = Integer(map, "maxConnections", 1, 1_000_000, "16384") ?? http.MaxConnections;
        http.EgressMbps = Integer(map, "egressMbps", 1, 1_000_000, "950") ?? http.EgressMbps;
        if (Duration(map, "discoveryDelay", "10s") is { } delay)
        {
            if (delay > TimeSpan.FromHours(1))
            {
                _diag.At(map.Child("discoveryDelay"), $"'{map.Value("discoveryDelay")}' holds an unknown node in the discovery script for more than an hour.",
                    "Use a few seconds, such as 10s.");
            }
            else
            {
                http.DiscoveryDelay = delay;
            }
        }
    }

    private void ReadDhcp(Map root, DhcpDraft dhcp)
    {
        Map? map = OpenMap(root.Value("dhcp"), "dhcp", "dhcp", DhcpKeys, "dhcp: { mode: authoritative, scopes: [...] }");
        if (map is null)
        {
            return;
        }

        if (TryChoice(map, "mode", DhcpModes, out DhcpMode mode))
        {
            dhcp.Mode = mode;
        }

        dhcp.Port = Port(map, "port", "67") ?? dhcp.Port;
        if (TryChoice(map, "nonPxeClients", NonPxePolicies, out NonPxeClientPolicy policy))
        {
            dhcp.NonPxeClients = policy;
        }

        dhcp.AnswerUnknownPxeClients = Bool(map, "answerUnknownPxeClients") ?? dhcp.AnswerUnknownPxeClients;
        dhcp.OfferHold = Duration(map, "offerHold", "30s") ?? dhcp.OfferHold;
        dhcp.MaxRequestsPerMacPerSecond = Integer(map, "maxRequestsPerMacPerSecond", 1, 10_000, "20") ?? dhcp.MaxRequestsPerMacPerSecond;

        YamlSequenceNode? scopes = OpenSequence(map, "scopes", "- { subnet: 192.0.2.0/24, range: { start: 192.0.2.100, end: 192.0.2.149 } }");
        if (scopes is null)
        {
            return;
        }

        dhcp.ScopeEntries = scopes.Children.Count;
        for (int i = 0; i < scopes.Children.Count; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"dhcp.scopes[{i}]");
            YamlNode item = scopes.Children[i];
            _diag.Remember(path, item);
            Map? scopeMap = OpenMap(item, path, "a DHCP scope", ScopeKeys, "- subnet: 192.0.2.0/24");
            if (scopeMap is not null)
            {
                dhcp.Scopes.Add(ReadScope(scopeMap));
            }
            else if (IsNull(item))
            {
                _diag.At(item, path, "This scope entry is empty.", "Give it at least 'subnet:', or remove the empty '-' line.");
            }
        }
    }

    private ScopeDraft ReadScope(Map map)
    {
        var scope = new ScopeDraft(map.Path)
        {
            Name = NonEmptyText(map, "name", "a short scope name such as lab"),
            Subnet = Subnet(map, "subnet"),
            Router = Ipv4Value(map, "router", "192.0.2.1"),
            DomainName = DomainName(map, "domainName"),
            Range = Range(map, "range"),
            LeaseTime = Duration(map, "leaseTime", "12h") ?? TimeSpan.FromHours(12),
            PxeRange = Range(map, "pxeRange"),
            PxeLeaseTime = Duration(map, "pxeLeaseTime", "5m") ?? TimeSpan.FromMinutes(5),
        };

        if (map.Value("subnet") is null)
        {
            Missing(map, "subnet", "Add 'subnet:' with the network and prefix length this scope serves, such as 192.0.2.0/24.");
        }

        foreach ((IPAddress address, string _) in Ipv4List(map, "dnsServers", "192.0.2.1"))
        {
            scope.DnsServers.Add(address);
        }

        scope.RelayAgents.AddRange(Ipv4List(map, "relayAgents", "198.51.100.1"));
        return scope;
    }

    private RangeDraft? Range(Map scope, string key)
    {
        YamlNode? node = scope.Value(key);
        string path = scope.Child(key);
        Map? map = OpenMap(node, path, $"'{key}'", RangeKeys, $"{key}: {{ start: 192.0.2.100, end: 192.0.2.149 }}");
        if (map is null)
        {
            return null;
        }

        var range = new RangeDraft(path)
        {
            Start = Ipv4Value(map, "start", "192.0.2.100"),
            End = Ipv4Value(map, "end", "192.0.2.149"),
        };
        if (map.Value("start") is null)
        {
            Missing(map, "start", $"Add 'start:' with the first address of the {key}, such as 192.0.2.100.");
        }

        if (map.Value("end") is null)
        {
            Missing(map, "end", $"Add 'end:' with the last address of the {key} (inclusive), such as 192.0.2.149.");
        }

        if (range.Start is not null && range.End is not null)
        {
            if (Ipv4.ToUInt32(range.Start) > Ipv4.ToUInt32(range.End))
            {
                _diag.At(map.Child("start"), $"The {key} start {range.Start} is above its end {range.End}.",
                    $"Swap them: 'start: {range.End}' and 'end: {range.Start}'.");
            }
            else
            {
                range.Value = new AddressRange(range.Start, range.End);
            }
        }

        return range;
    }

    private void ReadBoot(Map root, BootDraft boot)
    {
        Map? map = OpenMap(root.Value("boot"), "boot", "boot", BootKeys, "boot: { loaders: { efi-x64: ipxe.efi } }");
        if (map is null)
        {
            return;
        }

        string? baseUrl = NonEmptyText(map, "httpBaseUrl", "an http:// URL such as http://192.0.2.1/");
        if (baseUrl is not null)
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment))
            {
                boot.HttpBaseUrl = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
            }
            else
            {
                _diag.At(map.Child("httpBaseUrl"), $"'{baseUrl}' is not an absolute http:// or https:// URL without query or fragment.",
                    "Write the URL clients reach the HTTP server at, such as http://192.0.2.1/ (or omit httpBaseUrl for the default).");
            }
        }

        string? scriptUrl = NonEmptyText(map, "ipxeScriptUrl", "a URL such as {http}boot/{mac}.ipxe");
        if (scriptUrl is not null && CheckUrlTemplate(map.Child("ipxeScriptUrl"), scriptUrl))
        {
            boot.IpxeScriptUrl = scriptUrl;
        }

        boot.ChainTimeout = Duration(map, "chainTimeout", "30s") ?? boot.ChainTimeout;
        boot.Attempts = Integer(map, "attempts", 1, 100, "3") ?? boot.Attempts;

        Map? loaders = OpenMap(map.Value("loaders"), "boot.loaders", "boot.loaders", FirmwareKindNames.All, "loaders: { efi-x64: ipxe.efi }");
        if (loaders is null)
        {
            return;
        }

        foreach ((string name, (YamlScalarNode _, YamlNode value)) in loaders.Known)
        {
            FirmwareKindNames.TryParse(name, out FirmwareKind kind);
            string path = loaders.Child(name);
            if (IsNull(value))
            {
                // An explicit null removes the default: that firmware kind gets no boot answer.
                boot.Loaders.Remove(kind);
                continue;
            }

            if (value is not YamlScalarNode scalar)
            {
                NotScalar(value, path, name, "a loader path such as ipxe.efi");
                continue;
            }

            string loader = scalar.Value ?? string.Empty;
            if (CheckLoader(path, loader, kind))
            {
                boot.Loaders[kind] = loader;
            }
        }
    }

    private void ReadProfiles(Map root, List<ProfileDraft> profiles, HashSet<string> names)
    {
        YamlNode? node = root.Value("profiles");
        if (node is null)
        {
            return;
        }

        if (node is not YamlMappingNode map)
        {
            NotMapping(node, "profiles", "profiles: { ubuntu-24.04: { os: ubuntu, kernel: ..., initrd: ... } }");
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach ((YamlNode keyNode, YamlNode value) in map.Children)
        {
            if (keyNode is not YamlScalarNode key || string.IsNullOrEmpty(key.Value))
            {
                _diag.At(keyNode, "profiles", "A profile name must be plain text.", "Name each profile with a key such as 'ubuntu-24.04:'.", value: string.Empty);
                continue;
            }

            string name = key.Value;
            string path = "profiles." + name;
            _diag.Remember(path, value);
            if (!IsProfileName(name))
            {
                _diag.At(key, path, $"'{name}' is not a usable profile name.",
                    "Start with a letter or digit and use only letters, digits, '.', '-' and '_' (it appears in URLs), such as ubuntu-24.04.");
            }

            if (seen.TryGetValue(name, out int firstLine))
            {
                _diag.At(key, path, $"Profile '{name}' is defined twice (first on line {firstLine}); profile names ignore case.",
                    "Rename or remove one of the two profiles.");
                continue;
            }

            seen[name] = FleetDiagnostics.ToInt(key.Start.Line);
            names.Add(name);
            Map? profileMap = OpenMap(value, path, $"profile '{name}'", ProfileKeys, $"{name}: {{ os: ubuntu, kernel: ..., initrd: ... }}");
            if (profileMap is null)
            {
                if (IsNull(value))
                {
                    _diag.At(key, path, $"Profile '{name}' is empty.", "Give it at least 'os:' (ubuntu, rhel, debian or custom), 'kernel:' and 'initrd:'.", value: name);
                }

                continue;
            }

            profiles.Add(ReadProfile(profileMap, name));
        }
    }

    private ProfileDraft ReadProfile(Map map, string name)
    {
        var profile = new ProfileDraft(map.Path, name)
        {
            Os = TryChoice(map, "os", OsNames, out string? os) ? os : null,
            Kernel = HttpPath(map, "kernel", "ubuntu-24.04/casper/vmlinuz"),
            Initrd = HttpPath(map, "initrd", "ubuntu-24.04/casper/initrd"),
            Cmdline = Text(map, "cmdline", "kernel arguments such as 'console=ttyS0,115200n8'"),
            Arch = TryChoice(map, "arch", Arches, out string? arch) ? arch : null,
            SerialConsole = SerialConsole(map, "serialConsole"),
            Repo = HttpPath(map, "repo", "rhel-9/"),
            Url = BootUrl(map, "url"),
        };

        if (profile.Cmdline is not null)
        {
            CheckCmdline(map.Child("cmdline"), profile.Cmdline);
        }

        profile.Install = ReadInstall(map) ?? InstallSettings.Default;

        if (map.Value("os") is null)
        {
            Missing(map, "os", "Add 'os:' with the installer family: ubuntu (autoinstall), rhel (kickstart), debian (preseed) or custom.");
        }
        else if (profile.Os is "chain" or "sanboot")
        {
            if (map.Value("url") is null)
            {
                Missing(map, "url", profile.Os == "chain"
                    ? "Add 'url:' with the iPXE script or image to chain-load, such as http://192.0.2.1/menu.ipxe."
                    : "Add 'url:' with the SAN target or image to boot, such as iscsi:192.0.2.5::::iqn.2010-04.example:disk0 or {http}images/rescue.iso.");
            }
        }
        else if (profile.Os is not null and not "custom" and not "local")
        {
            if (map.Value("kernel") is null)
            {
                Missing(map, "kernel", $"Add 'kernel:' with the installer kernel's path under the HTTP root, such as {name}/vmlinuz.");
            }

            if (map.Value("initrd") is null)
            {
                Missing(map, "initrd", $"Add 'initrd:' with the installer initrd's path under the HTTP root, such as {name}/initrd.");
            }
        }

        Map? extra = OpenMap(map.Value("extra"), map.Child("extra"), "extra", keys: null, "extra: { timezone: Etc/UTC }");
        if (extra is not null)
        {
            foreach ((string key, (YamlScalarNode _, YamlNode value)) in extra.Known)
            {
                if (value is YamlScalarNode scalar)
                {
                    profile.Extra[key] = IsNull(value) ? string.Empty : scalar.Value ?? string.Empty;
                }
                else
                {
                    NotScalar(value, extra.Child(key), key, "a single value (quote it if it contains ': ')");
                }
            }
        }

        return profile;
    }

    private void ReadNodes(Map root, List<NodeDraft> nodes)
    {
        YamlSequenceNode? sequence = OpenSequence(root, "nodes", "- { name: node01, mac: 52:54:00:00:00:01 }");
        if (sequence is null)
        {
            return;
        }

        for (int i = 0; i < sequence.Children.Count; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"nodes[{i}]");
            YamlNode item = sequence.Children[i];
            _diag.Remember(path, item);
            Map? map = OpenMap(item, path, "a node", NodeKeys, "- { name: node01, mac: 52:54:00:00:00:01 }");
            if (map is null)
            {
                if (IsNull(item))
                {
                    _diag.At(item, path, "This node entry is empty.", "Give it at least 'name:' and 'mac:', or remove the empty '-' line.");
                }

                continue;
            }

            nodes.Add(ReadNode(map, FleetDiagnostics.ToInt(item.Start.Line)));
        }
    }

    private NodeDraft ReadNode(Map map, int line)
    {
        var node = new NodeDraft(map.Path, line)
        {
            Name = NonEmptyText(map, "name", "a node name such as node01"),
            Mac = Mac(map, "mac"),
            Uuid = Uuid(map, "uuid"),
            HostName = NonEmptyText(map, "hostName", "a host name such as node01"),
            Address = Ipv4Value(map, "address", "192.0.2.11"),
            Profile = NonEmptyText(map, "profile", "the name of an entry under profiles"),
        };

        if (map.Value("name") is null)
        {
            Missing(map, "name", "Add 'name:' with a unique node name such as node01.");
        }

        if (map.Value("mac") is null)
        {
            Missing(map, "mac", "Add 'mac:' with the boot NIC's MAC address, such as 52:54:00:00:00:01.");
        }

        if (node.Name is not null && !IsNodeName(node.Name))
        {
            _diag.At(map.Child("name"), $"'{node.Name}' is not a usable node name.",
                "Start with a letter or digit and use only letters, digits, '.', '-' and '_' (at most 63 characters), such as node01.");
            node.Name = null;
        }

        if (node.HostName is not null && !IsHostName(node.HostName))
        {
            _diag.At(map.Child("hostName"), $"'{node.HostName}' is not a valid host name.",
                "Use dot-separated labels of letters, digits and '-' (not at either end of a label, at most 63 characters each), such as node01.lab.example.");
            node.HostName = null;
        }
        else if (node.HostName is null && map.Value("hostName") is null && node.Name is not null && !IsHostName(node.Name))
        {
            _diag.At(map.Child("name"), $"'{node.Name}' is not a valid host name, and the node has no hostName to use instead.",
                $"Add 'hostName:' with a valid host name such as {HostNameHint(node.Name)}, or rename the node using only letters, digits and '-'.");
        }

        node.Bmc = ReadBmc(map);
        node.Boot = ReadNodeBoot(map);
        return node;
    }

    private BmcDraft? ReadBmc(Map node)
    {
        string path = node.Child("bmc");
        Map? map = OpenMap(node.Value("bmc"), path, "bmc", BmcKeys, "bmc: { address: 192.0.2.21, protocol: ipmi, credential: lab-bmc }", secretKeys: true);
        if (map is null)
        {
            return null;
        }

        var bmc = new BmcDraft(path)
        {
            Address = NonEmptyText(map, "address", "the BMC's IP address or host name"),
            Protocol = TryChoice(map, "protocol", BmcProtocols, out string? protocol) ? protocol : "ipmi",
            Port = Port(map, "port", "623"),
            Credential = NonEmptyText(map, "credential", "the name of a stored credential such as lab-bmc"),
        };

        if (map.Value("address") is null)
        {
            Missing(map, "address", "Add 'address:' with the BMC's IP address or host name, such as 192.0.2.21.");
        }
        else if (bmc.Address is not null && !Ipv4.TryParse(bmc.Address, out _) && !IsHostName(bmc.Address))
        {
            _diag.At(map.Child("address"), $"'{bmc.Address}' is neither an IPv4 address nor a host name.",
                "Write the BMC's address such as 192.0.2.21, or its DNS name such as node01-bmc.lab.example.");
            bmc.Address = null;
        }

        return bmc;
    }

    private NodeBootOverride? ReadNodeBoot(Map node)
    {
        Map? map = OpenMap(node.Value("boot"), node.Child("boot"), "a node's boot", NodeBootKeys, "boot: { treatAsIpxe: true }");
        if (map is null)
        {
            return null;
        }

        string? loader = null;
        if (map.Known.TryGetValue("loader", out (YamlScalarNode Key, YamlNode Value) entry))
        {
            if (entry.Value is YamlScalarNode scalar && (IsNull(scalar) || string.IsNullOrWhiteSpace(scalar.Value)))
            {
                _diag.At(entry.Value, map.Child("loader"), "The loader override is empty.",
                    "Name the loader this node should get, such as ipxe.efi (TFTP path) or {http}ipxe.efi (URL), or remove the 'loader:' line to use boot.loaders.",
                    value: scalar.Value ?? string.Empty);
            }
            else
            {
                string? text = Text(map, "loader", "a loader path such as ipxe.efi");
                if (text is not null && CheckLoader(map.Child("loader"), text, kind: null))
                {
                    loader = text;
                }
            }
        }

        string? scriptUrl = NonEmptyText(map, "scriptUrl", "a URL such as {http}boot/{mac}.ipxe");
        if (scriptUrl is not null && !CheckUrlTemplate(map.Child("scriptUrl"), scriptUrl))
        {
            scriptUrl = null;
        }

        return new NodeBootOverride
        {
            Loader = loader,
            TreatAsIpxe = Bool(map, "treatAsIpxe"),
            ScriptUrl = scriptUrl,
        };
    }
}
