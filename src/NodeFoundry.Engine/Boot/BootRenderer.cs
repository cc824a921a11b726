using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Renders a fleet's per-node artifacts, each passed through <see cref="BootLint"/>: the iPXE script
/// (<c>boot/{mac}.ipxe</c>) and the answer files of the node's profile (NoCloud seed for ubuntu, kickstart for rhel,
/// preseed for debian). Password hashes are read through the <see cref="ISecretResolver"/> at render time.
/// </summary>
public sealed class BootRenderer
{
    private readonly FleetConfig _fleet;
    private readonly ISecretResolver _secrets;

    /// <summary>A renderer for <paramref name="fleet"/>; secrets resolve against the fleet file's folder unless <paramref name="secrets"/> is given.</summary>
    public BootRenderer(FleetConfig fleet, ISecretResolver? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        _fleet = fleet;
        _secrets = secrets ?? SecretResolver.ForFleet(fleet);
    }

    /// <summary>The answer files a profile <c>os</c> gets (none for custom, chain, sanboot and local).</summary>
    public static IReadOnlyList<AnswerFileKind> AnswerFileKinds(string? os) => os switch
    {
        "ubuntu" => [AnswerFileKind.UserData, AnswerFileKind.MetaData, AnswerFileKind.VendorData, AnswerFileKind.NetworkConfig],
        "rhel" => [AnswerFileKind.Kickstart],
        "debian" => [AnswerFileKind.Preseed],
        _ => [],
    };

    /// <summary>The route of an answer file for a MAC.</summary>
    public static string AnswerFileRoute(AnswerFileKind kind, System.Net.NetworkInformation.PhysicalAddress mac) => kind switch
    {
        AnswerFileKind.UserData => BootRoutes.NoCloudFile(mac, BootRoutes.UserData),
        AnswerFileKind.MetaData => BootRoutes.NoCloudFile(mac, BootRoutes.MetaData),
        AnswerFileKind.VendorData => BootRoutes.NoCloudFile(mac, BootRoutes.VendorData),
        AnswerFileKind.NetworkConfig => BootRoutes.NoCloudFile(mac, BootRoutes.NetworkConfig),
        AnswerFileKind.Kickstart => BootRoutes.Kickstart(mac),
        _ => BootRoutes.Preseed(mac),
    };

    /// <summary>Renders and lints a script from an explicit request (no fleet needed).</summary>
    public static BootScript RenderScript(BootScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string text = IpxeScriptRenderer.Render(request);
        string? route = request.MacAddress is null ? null : BootRoutes.Script(request.MacAddress);
        return new BootScript
        {
            NodeName = request.NodeName,
            MacAddress = request.MacAddress is null ? null : MacAddressText.Format(request.MacAddress),
            Kind = request.Kind,
            Route = route,
            Url = route is null || request.HttpBaseUrl is null ? null : BootRoutes.Absolute(request.HttpBaseUrl, route),
            Text = text,
            Findings = BootLint.Ipxe(text),
        };
    }

    /// <summary>Renders and lints a node's script: its profile's kind, or <paramref name="kind"/> (see <see cref="FleetBootPlanner.ScriptRequest"/>).</summary>
    public BootScript RenderScript(FleetNode node, BootScriptKind? kind = null) =>
        RenderScript(FleetBootPlanner.ScriptRequest(_fleet, node, kind));

    /// <summary>Renders and lints every answer file of a node's profile (empty for profiles without an installer).</summary>
    public IReadOnlyList<AnswerFile> RenderAnswerFiles(FleetNode node) => RenderAnswerFiles(node, kinds: null);

    /// <summary>Renders and lints the answer files of a node's profile, limited to <paramref name="kinds"/> when given.</summary>
    public IReadOnlyList<AnswerFile> RenderAnswerFiles(FleetNode node, IReadOnlyCollection<AnswerFileKind>? kinds)
    {
        ArgumentNullException.ThrowIfNull(node);
        BootProfile? profile = _fleet.FindProfile(node.Profile);
        IReadOnlyList<AnswerFileKind> own = AnswerFileKinds(profile?.Os);
        if (profile is null || own.Count == 0)
        {
            return [];
        }

        var secretFindings = new List<LintFinding>();
        string? hash = ResolvePasswordHash(profile, secretFindings);
        AnswerFileRequest request = FleetBootPlanner.AnswerRequest(_fleet, node, hash);
        var files = new List<AnswerFile>();
        foreach (AnswerFileKind kind in own.Where(k => kinds is null || kinds.Contains(k)))
        {
            string text = kind switch
            {
                AnswerFileKind.Kickstart => KickstartRenderer.Render(request),
                AnswerFileKind.Preseed => PreseedRenderer.Render(request),
                _ => NoCloudRenderer.Render(kind, request),
            };
            string route = AnswerFileRoute(kind, node.MacAddress);
            bool usesPassword = kind is AnswerFileKind.UserData or AnswerFileKind.Kickstart or AnswerFileKind.Preseed;
            files.Add(new AnswerFile
            {
                NodeName = node.Name,
                MacAddress = MacAddressText.Format(node.MacAddress),
                Kind = kind,
                Route = route,
                Url = BootRoutes.Absolute(_fleet.Boot.HttpBaseUrl, route),
                Text = text,
                Findings = [.. usesPassword ? secretFindings : [], .. BootLint.AnswerFile(kind, text)],
            });
        }

        return files;
    }

    /// <summary>
    /// The content of a parsed per-node route (see <see cref="BootRoutes.TryParse"/>), for the HTTP server: null when
    /// the MAC is not in the fleet, when the node's profile has no such file (a kickstart for an Ubuntu node), when
    /// the node cannot be scripted (no profile), and for <see cref="BootRouteKind.PhoneHome"/>, which is not rendered.
    /// Lint findings travel with the result; serving it is the caller's decision.
    /// </summary>
    public RenderedRoute? RenderRoute(BootRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (_fleet.FindByMac(route.MacAddress) is not FleetNode node)
        {
            return null;
        }

        if (route.Kind == BootRouteKind.Script)
        {
            try
            {
                BootScript script = RenderScript(node);
                return new RenderedRoute(route, script.Text, script.Findings);
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        AnswerFileKind? kind = route.Kind switch
        {
            BootRouteKind.Kickstart => AnswerFileKind.Kickstart,
            BootRouteKind.Preseed => AnswerFileKind.Preseed,
            BootRouteKind.NoCloud => route.File switch
            {
                BootRoutes.UserData => AnswerFileKind.UserData,
                BootRoutes.MetaData => AnswerFileKind.MetaData,
                BootRoutes.VendorData => AnswerFileKind.VendorData,
                BootRoutes.NetworkConfig => AnswerFileKind.NetworkConfig,
                _ => null,
            },
            _ => null,
        };
        if (kind is not AnswerFileKind wanted)
        {
            return null;
        }

        AnswerFile? file = RenderAnswerFiles(node, [wanted]).SingleOrDefault();
        return file is null ? null : new RenderedRoute(route, file.Text, file.Findings);
    }

    private string? ResolvePasswordHash(BootProfile profile, List<LintFinding> findings)
    {
        if (profile.Install.PasswordHash is not SecretReference reference)
        {
            return null;
        }

        if (!_secrets.TryResolve(reference, out string? value, out string? problem))
        {
            findings.Add(new LintFinding(LintCodes.Secret, LintSeverity.Error, 0,
                $"The password hash of profile '{profile.Name}' ({reference}) could not be read: {problem}; the user's password is locked instead.",
                "Create the file or set the variable with a hash from 'openssl passwd -6', or remove install.passwordHash."));
            return null;
        }

        if (!BootLint.IsCryptOrLocked(value))
        {
            findings.Add(new LintFinding(LintCodes.Secret, LintSeverity.Error, 0,
                $"{reference} (profile '{profile.Name}') does not hold a crypt(3) hash; it is not used, and the user's password is locked instead.",
                "Store a hash made with 'openssl passwd -6' there, never the password itself."));
            return null;
        }

        return value;
    }
}
