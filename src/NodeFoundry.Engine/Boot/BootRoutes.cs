using System.Diagnostics.CodeAnalysis;
using System.Net.NetworkInformation;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// The stable URL layout of per-node artifacts, relative to <c>boot.httpBaseUrl</c> (docs/http-routes.md). MACs are
/// written lower-case with colons, the form iPXE's <c>${mac}</c> expands to; <see cref="TryParse"/> also accepts
/// hyphens, upper case and percent-encoded colons (iPXE encodes <c>:</c> as <c>%3A</c> inside URLs).
/// </summary>
public static class BootRoutes
{
    /// <summary>NoCloud seed file <c>user-data</c>.</summary>
    public const string UserData = "user-data";

    /// <summary>NoCloud seed file <c>meta-data</c>.</summary>
    public const string MetaData = "meta-data";

    /// <summary>NoCloud seed file <c>vendor-data</c>.</summary>
    public const string VendorData = "vendor-data";

    /// <summary>NoCloud seed file <c>network-config</c>.</summary>
    public const string NetworkConfig = "network-config";

    /// <summary>The files of a NoCloud seed directory.</summary>
    public static IReadOnlyList<string> NoCloudFiles { get; } = [UserData, MetaData, VendorData, NetworkConfig];

    /// <summary><c>boot/{mac}.ipxe</c>, the default of <c>boot.ipxeScriptUrl</c>.</summary>
    public static string Script(PhysicalAddress mac) => Script(MacAddressText.Format(mac));

    /// <summary><c>boot/{mac}.ipxe</c> for a MAC text (or iPXE's <c>${mac}</c>).</summary>
    public static string Script(string mac) => $"boot/{mac}.ipxe";

    /// <summary><c>nocloud/{mac}/</c>: the NoCloud seed directory; the trailing '/' is mandatory for cloud-init.</summary>
    public static string NoCloudSeed(PhysicalAddress mac) => NoCloudSeed(MacAddressText.Format(mac));

    /// <summary><c>nocloud/{mac}/</c> for a MAC text (or iPXE's <c>${mac}</c>).</summary>
    public static string NoCloudSeed(string mac) => $"nocloud/{mac}/";

    /// <summary><c>nocloud/{mac}/{file}</c>.</summary>
    public static string NoCloudFile(PhysicalAddress mac, string file) => NoCloudSeed(mac) + file;

    /// <summary><c>ks/{mac}.cfg</c>.</summary>
    public static string Kickstart(PhysicalAddress mac) => Kickstart(MacAddressText.Format(mac));

    /// <summary><c>ks/{mac}.cfg</c> for a MAC text (or iPXE's <c>${mac}</c>).</summary>
    public static string Kickstart(string mac) => $"ks/{mac}.cfg";

    /// <summary><c>preseed/{mac}.cfg</c>.</summary>
    public static string Preseed(PhysicalAddress mac) => Preseed(MacAddressText.Format(mac));

    /// <summary><c>preseed/{mac}.cfg</c> for a MAC text (or iPXE's <c>${mac}</c>).</summary>
    public static string Preseed(string mac) => $"preseed/{mac}.cfg";

    /// <summary><c>phone-home/{mac}</c>.</summary>
    public static string PhoneHome(PhysicalAddress mac) => PhoneHome(MacAddressText.Format(mac));

    /// <summary><c>phone-home/{mac}</c> for a MAC text (or iPXE's <c>${mac}</c>).</summary>
    public static string PhoneHome(string mac) => $"phone-home/{mac}";

    /// <summary>Joins the HTTP base URL (ends with '/') and a relative route.</summary>
    public static string Absolute(string httpBaseUrl, string route)
    {
        ArgumentNullException.ThrowIfNull(httpBaseUrl);
        ArgumentNullException.ThrowIfNull(route);
        return (httpBaseUrl.EndsWith('/') ? httpBaseUrl : httpBaseUrl + "/") + route.TrimStart('/');
    }

    /// <summary>
    /// Parses a request path (with or without the leading '/', without the base URL's own path) into a route.
    /// Accepts <c>52:54:00:00:00:01</c>, <c>52-54-00-00-00-01</c>, <c>525400000001</c> and <c>52%3A54%3A…</c>.
    /// </summary>
    public static bool TryParse(string? path, [NotNullWhen(true)] out BootRoute? route)
    {
        route = null;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        string[] parts = path.TrimStart('/').Split('/');
        switch (parts)
        {
            case ["boot", string file] when file.EndsWith(".ipxe", StringComparison.Ordinal):
                return Make(BootRouteKind.Script, file[..^".ipxe".Length], null, out route);
            case ["nocloud", string mac, string file] when NoCloudFiles.Contains(file, StringComparer.Ordinal):
                return Make(BootRouteKind.NoCloud, mac, file, out route);
            case ["ks", string file] when file.EndsWith(".cfg", StringComparison.Ordinal):
                return Make(BootRouteKind.Kickstart, file[..^".cfg".Length], null, out route);
            case ["preseed", string file] when file.EndsWith(".cfg", StringComparison.Ordinal):
                return Make(BootRouteKind.Preseed, file[..^".cfg".Length], null, out route);
            case ["phone-home", string mac]:
                return Make(BootRouteKind.PhoneHome, mac, null, out route);
            default:
                return false;
        }
    }

    private static bool Make(BootRouteKind kind, string macText, string? file, [NotNullWhen(true)] out BootRoute? route)
    {
        route = null;
        string decoded = macText.Replace("%3A", ":", StringComparison.OrdinalIgnoreCase);
        if (!MacAddressText.TryParse(decoded, out PhysicalAddress mac))
        {
            return false;
        }

        route = new BootRoute(kind, mac, file);
        return true;
    }
}
