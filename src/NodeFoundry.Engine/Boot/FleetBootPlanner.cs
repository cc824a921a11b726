using System.Net;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Turns a fleet node and its profile into renderer requests: resolves paths under the HTTP root to URLs, expands
/// the fleet placeholders (<c>{http}</c>, <c>{mac}</c>, <c>{uuid}</c>, <c>{hostname}</c>, <c>{ip}</c>,
/// <c>{server}</c>) and leaves iPXE's own <c>${…}</c> settings alone.
/// </summary>
public static class FleetBootPlanner
{
    private static readonly string[] SanSchemes = ["iscsi:", "aoe:", "fcp:", "ib_srp:"];

    /// <summary>
    /// The script request for a node: its profile's kind, or <paramref name="kind"/> when given (exit-to-disk needs
    /// no profile; chain and sanboot need a profile url; custom needs a profile kernel; an installer kind must match
    /// the profile's os). Throws <see cref="InvalidOperationException"/> naming the fix when that is not so.
    /// </summary>
    public static BootScriptRequest ScriptRequest(FleetConfig fleet, FleetNode node, BootScriptKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(node);
        BootProfile? profile = fleet.FindProfile(node.Profile);
        BootScriptKind chosen = kind ?? (profile is not null && BootScriptKinds.TryFromOs(profile.Os, out BootScriptKind k)
            ? k
            : throw new InvalidOperationException($"Node '{node.Name}' has no profile, so there is nothing to boot; give it 'profile:' in the fleet file or choose a kind such as ExitToDisk."));

        var request = new BootScriptRequest
        {
            Kind = chosen,
            NodeName = node.Name,
            MacAddress = node.MacAddress,
            ProfileName = profile?.Name,
            HttpBaseUrl = fleet.Boot.HttpBaseUrl,
            Timeout = fleet.Boot.ChainTimeout,
            Attempts = fleet.Boot.Attempts,
            HostName = node.HostName,
            Domain = DomainFor(fleet, node),
        };
        if (chosen == BootScriptKind.ExitToDisk)
        {
            return request;
        }

        if (profile is null)
        {
            throw new InvalidOperationException($"Node '{node.Name}' has no profile; a {IpxeScriptRenderer.KindName(chosen)} script takes its URLs from one.");
        }

        if (chosen is BootScriptKind.Chain or BootScriptKind.Sanboot)
        {
            return profile.Url is null
                ? throw new InvalidOperationException($"Profile '{profile.Name}' has no url: to {(chosen == BootScriptKind.Chain ? "chain-load" : "SAN-boot")}.")
                : request with { TargetUrl = ResolveUrl(fleet, node, profile.Url) };
        }

        if (BootScriptKinds.IsInstaller(chosen) && (!BootScriptKinds.TryFromOs(profile.Os, out BootScriptKind own) || own != chosen))
        {
            throw new InvalidOperationException($"Profile '{profile.Name}' installs '{profile.Os}', not {IpxeScriptRenderer.KindName(chosen)}; choose a profile with os: {IpxeScriptRenderer.KindName(chosen)}.");
        }

        if (profile.Kernel is null)
        {
            throw new InvalidOperationException($"Profile '{profile.Name}' has no kernel: to boot.");
        }

        return request with
        {
            KernelUrl = ResolveUrl(fleet, node, profile.Kernel),
            InitrdUrl = profile.Initrd is null ? null : ResolveUrl(fleet, node, profile.Initrd),
            Cmdline = profile.Cmdline,
            RepoUrl = profile.Repo is null || chosen == BootScriptKind.Debian ? null : ResolveUrl(fleet, node, profile.Repo),
            SerialConsole = profile.SerialConsole,
            Arch = profile.Arch,
        };
    }

    /// <summary>The answer-file request for a node; <paramref name="passwordHash"/> is the already resolved hash, or null.</summary>
    public static AnswerFileRequest AnswerRequest(FleetConfig fleet, FleetNode node, string? passwordHash)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(node);
        BootProfile profile = fleet.FindProfile(node.Profile)
            ?? throw new InvalidOperationException($"Node '{node.Name}' has no profile, so there is no install to answer for.");
        return new AnswerFileRequest
        {
            NodeName = node.Name,
            HostName = node.HostName,
            MacAddress = node.MacAddress,
            HttpBaseUrl = fleet.Boot.HttpBaseUrl,
            ProfileName = profile.Name,
            Domain = node.HostName.Contains('.', StringComparison.Ordinal) ? null : DomainFor(fleet, node),
            RepoUrl = profile.Repo is null ? null : ResolveUrl(fleet, node, profile.Repo),
            SerialConsole = profile.SerialConsole,
            Install = profile.Install,
            PasswordHash = passwordHash,
        };
    }

    /// <summary>
    /// A profile path or URL as clients fetch it: <c>{…}</c> placeholders expanded, http(s) and SAN URIs kept, and a
    /// path under the HTTP root prefixed with <c>boot.httpBaseUrl</c>.
    /// </summary>
    public static string ResolveUrl(FleetConfig fleet, FleetNode? node, string pathOrUrl)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(pathOrUrl);
        string text = pathOrUrl
            .Replace(BootSettings.HttpPlaceholder, fleet.Boot.HttpBaseUrl, StringComparison.Ordinal)
            .Replace(BootSettings.MacPlaceholder, node is null ? "${mac}" : MacAddressText.Format(node.MacAddress), StringComparison.Ordinal)
            .Replace(BootSettings.UuidPlaceholder, node?.Uuid?.ToString("D") ?? "${uuid}", StringComparison.Ordinal)
            .Replace(BootSettings.HostNamePlaceholder, node?.HostName ?? "${hostname}", StringComparison.Ordinal)
            .Replace(BootSettings.IpPlaceholder, node?.Address?.ToString() ?? "${ip}", StringComparison.Ordinal)
            .Replace("{server}", fleet.Server.Address.ToString(), StringComparison.Ordinal);
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || SanSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return text;
        }

        return BootRoutes.Absolute(fleet.Boot.HttpBaseUrl, text);
    }

    /// <summary>The DNS domain of the scope that holds the node's reserved address (or the server's), or null.</summary>
    public static string? DomainFor(FleetConfig fleet, FleetNode node)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(node);
        IPAddress address = node.Address ?? fleet.Server.Address;
        return fleet.Dhcp.Scopes.FirstOrDefault(s => s.Subnet.Contains(address))?.DomainName?.TrimEnd('.');
    }
}
