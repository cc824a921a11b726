using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Events;
using NodeFoundry.Fleet;

namespace NodeFoundry.Http;

/// <summary>
/// The per-node routes of docs/http-routes.md on an <see cref="HttpRouteTable"/>, rendered from the fleet file on
/// every request by <see cref="BootRenderer"/> (so a fixed secret file takes effect without a restart):
/// <c>boot/{mac}.ipxe</c>, <c>boot/uuid/{uuid}.ipxe</c>, <c>nocloud/{mac}/{file}</c>, <c>ks/{mac}.cfg</c>,
/// <c>preseed/{mac}.cfg</c>, <c>phone-home/{mac}</c> (GET or POST) and <c>discover/{mac}</c>.
/// MACs are accepted in every spelling <see cref="MacAddressText"/> knows (the server has already decoded the
/// path once, so iPXE's <c>52%3A54%3A…</c> arrives as <c>52:54:…</c>). Rendered content with a lint error is
/// never served: the answer is 500 and the lint message goes into the request event.
/// </summary>
public sealed class FleetHttpRoutes
{
    /// <summary>Largest phone-home body accepted (it is never read; a larger declared one gets 413).</summary>
    public const long MaxPhoneHomeBodyBytes = 64 * 1024;

    private readonly FleetConfig _fleet;
    private readonly IBootEventSink _events;
    private readonly BootRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly Dictionary<Guid, FleetNode> _byUuid = [];

    public FleetHttpRoutes(FleetConfig fleet, IBootEventSink events, InstalledNodeStore? installed = null, ISecretResolver? secrets = null, TimeProvider? time = null)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _renderer = new BootRenderer(fleet, secrets);
        _time = time ?? TimeProvider.System;
        Installed = installed ?? new InstalledNodeStore();
        foreach (var node in fleet.Nodes)
        {
            if (node.Uuid is Guid uuid)
            {
                _byUuid.TryAdd(uuid, node);
            }
        }
    }

    /// <summary>Who phoned home, and whose network boot is disarmed.</summary>
    public InstalledNodeStore Installed { get; }

    /// <summary>Maps every per-node route onto <paramref name="routes"/> (before static files).</summary>
    public HttpRouteTable MapTo(HttpRouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes
            .Map("/boot/uuid/{file}", ScriptByUuid)
            .Map("/boot/{file}", ScriptByMac)
            .Map("/nocloud/{mac}/{file}", NoCloud)
            .Map("/ks/{file}", c => AnswerFile(c, ".cfg", BootRouteKind.Kickstart))
            .Map("/preseed/{file}", c => AnswerFile(c, ".cfg", BootRouteKind.Preseed))
            .Map("/phone-home/{mac}", PhoneHome, acceptPost: true)
            .Map("/discover/{mac}", Discover);
    }

    /// <summary>
    /// The discovery script for a node the fleet does not list: reports <c>${mac}</c> (and <c>${uuid}</c>) to
    /// <c>discover/{mac}</c>, waits <c>http.discoveryDelay</c>, then exits to the local disk.
    /// </summary>
    public string DiscoveryScript()
    {
        var url = BootRoutes.Absolute(_fleet.Boot.HttpBaseUrl, "discover/${mac:hexhyp}?uuid=${uuid}");
        var timeout = ((long)_fleet.Boot.ChainTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var delay = (long)Math.Ceiling(_fleet.Http.DiscoveryDelay.TotalSeconds);
        var s = new StringBuilder();
        s.Append("#!ipxe\n");
        s.Append("# NodeFoundry discovery script for a node the fleet file does not list: report it, wait, boot from the local disk.\n");
        s.Append("# Add the node (its MAC) to the fleet file to install it.\n\n");
        s.Append("echo NodeFoundry: unknown node mac ${mac} uuid ${uuid} on ${platform}/${buildarch}\n");
        s.Append(CultureInfo.InvariantCulture, $"imgfetch --timeout {timeout} --name nf_discover {url} && imgfree nf_discover || echo NodeFoundry: could not report this node\n");
        if (delay > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $"echo NodeFoundry: booting from the local disk in {delay} s\n");
            s.Append(CultureInfo.InvariantCulture, $"sleep {delay}\n");
        }

        var exit = ExitScript(null, null);
        s.Append(exit.AsSpan(exit.IndexOf('\n', StringComparison.Ordinal) + 1));
        return s.ToString();
    }

    /// <summary>The exit-to-disk script (BIOS: sanboot the first disk; UEFI: exit to the firmware's boot order).</summary>
    public static string ExitScript(string? nodeName, PhysicalAddress? mac) =>
        IpxeScriptRenderer.Render(new BootScriptRequest { Kind = BootScriptKind.ExitToDisk, NodeName = nodeName, MacAddress = mac });

    private HttpRouteContent? ScriptByMac(HttpRouteContext context)
    {
        if (!TryMac(context["file"], ".ipxe", out var mac))
        {
            return null;
        }

        context.MacAddress = mac;
        return _fleet.FindByMac(mac) is { } node ? Script(node) : Unknown();
    }

    private HttpRouteContent? ScriptByUuid(HttpRouteContext context)
    {
        var file = context["file"];
        if (file is null || !file.EndsWith(".ipxe", StringComparison.Ordinal) || !Guid.TryParse(file[..^".ipxe".Length], out var uuid))
        {
            return null;
        }

        if (!_byUuid.TryGetValue(uuid, out var node))
        {
            return Unknown();
        }

        context.MacAddress = node.MacAddress;
        return Script(node);
    }

    private HttpRouteContent? Script(FleetNode node)
    {
        if (Installed.IsDisarmed(node.MacAddress))
        {
            return HttpRouteContent.Text(ExitScript(node.Name, node.MacAddress)) with
            {
                Reason = $"{node.Name} phoned home; network boot is disarmed (exit to the local disk)",
            };
        }

        return Serve(_renderer.RenderRoute(new BootRoute(BootRouteKind.Script, node.MacAddress)));
    }

    private HttpRouteContent? Unknown() => _fleet.Http.UnknownNodes switch
    {
        UnknownNodePolicy.Discovery => HttpRouteContent.Text(DiscoveryScript()) with { Reason = "unknown node: discovery script" },
        UnknownNodePolicy.Exit => HttpRouteContent.Text(ExitScript(null, null)) with { Reason = "unknown node: exit to the local disk" },
        _ => null,
    };

    private HttpRouteContent? NoCloud(HttpRouteContext context)
    {
        var file = context["file"];
        if (!MacAddressText.TryParse(context["mac"], out var mac) || file is null || !BootRoutes.NoCloudFiles.Contains(file, StringComparer.Ordinal))
        {
            return null;
        }

        context.MacAddress = mac;
        return Serve(_renderer.RenderRoute(new BootRoute(BootRouteKind.NoCloud, mac, file)));
    }

    private HttpRouteContent? AnswerFile(HttpRouteContext context, string extension, BootRouteKind kind)
    {
        if (!TryMac(context["file"], extension, out var mac))
        {
            return null;
        }

        context.MacAddress = mac;
        return Serve(_renderer.RenderRoute(new BootRoute(kind, mac)));
    }

    private HttpRouteContent? PhoneHome(HttpRouteContext context)
    {
        if (!MacAddressText.TryParse(context["mac"], out var mac))
        {
            return null;
        }

        context.MacAddress = mac;
        if (context.Request.ContentLength > MaxPhoneHomeBodyBytes)
        {
            return HttpRouteContent.Text("413 Content Too Large\n", statusCode: 413) with
            {
                Reason = $"phone-home body of {context.Request.ContentLength} bytes (at most {MaxPhoneHomeBodyBytes})",
            };
        }

        if (_fleet.FindByMac(mac) is not { } node)
        {
            return null;
        }

        var disarm = _fleet.Http.DisarmAfterInstall;
        if (context.Request.Method != "HEAD")
        {
            // HEAD asks what GET would answer; only GET and POST record the install.
            var record = Installed.MarkInstalled(mac, node.Name, disarm, _time.GetUtcNow());
            disarm = record.Disarmed;
            _events.Publish(new PhoneHomeEvent
            {
                Timestamp = _time.GetUtcNow(),
                MacAddress = mac,
                IPAddress = context.Client.Address,
                NodeName = node.Name,
                Disarmed = record.Disarmed,
            });
        }

        return HttpRouteContent.Text($"ok {node.Name} installed{(disarm ? "; network boot disarmed" : string.Empty)}\n");
    }

    private HttpRouteContent? Discover(HttpRouteContext context)
    {
        if (!MacAddressText.TryParse(context["mac"], out var mac))
        {
            return null;
        }

        context.MacAddress = mac;
        if (context.Request.Method != "HEAD")
        {
            _events.Publish(new NodeDiscoveredEvent
            {
                Timestamp = _time.GetUtcNow(),
                MacAddress = mac,
                IPAddress = context.Client.Address,
                Uuid = NullIfEmpty(context.Query("uuid")),
                Platform = NullIfEmpty(context.Query("platform")),
                BuildArch = NullIfEmpty(context.Query("buildarch")),
            });
        }

        return HttpRouteContent.Text(_fleet.FindByMac(mac) is { } node ? $"ok known node {node.Name}\n" : "ok\n");
    }

    /// <summary>Rendered content, or a 500 naming the lint errors (never a half-correct file), or null (404).</summary>
    private static HttpRouteContent? Serve(RenderedRoute? rendered)
    {
        if (rendered is null)
        {
            return null;
        }

        var errors = rendered.Findings.Where(f => f.Severity == LintSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            return HttpRouteContent.Text("500 Internal Server Error\n", statusCode: 500) with
            {
                Reason = $"{rendered.Route.Path} not served, lint: " + string.Join("; ", errors.Select(e => $"{e.Code} (line {e.Line}): {e.Message}")),
            };
        }

        return HttpRouteContent.Text(rendered.Text);
    }

    private static bool TryMac(string? file, string extension, out PhysicalAddress mac)
    {
        mac = PhysicalAddress.None;
        return file is not null && file.EndsWith(extension, StringComparison.Ordinal) && MacAddressText.TryParse(file[..^extension.Length], out mac);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
