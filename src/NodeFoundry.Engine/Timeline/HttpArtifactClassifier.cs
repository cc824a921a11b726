using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Timeline;

/// <summary>
/// Which boot stage an HTTP request path stands for. Per-node routes (docs/http-routes.md) are parsed with
/// <see cref="BootRoutes.TryParse"/> and carry the MAC: <c>boot/{mac}.ipxe</c> is the script, <c>nocloud/…</c>,
/// <c>ks/…</c> and <c>preseed/…</c> are answer files, <c>phone-home/{mac}</c> is Installed. Static files are
/// kernels or initrds when a fleet profile names that path (<c>kernel:</c>/<c>initrd:</c>, relative to the
/// HTTP root or an absolute URL under <c>boot.httpBaseUrl</c>), and NBPs when a loader of <c>boot.loaders</c>
/// names it (UEFI HTTP Boot fetches iPXE over HTTP). Paths no profile names fall back to file-name
/// conventions: <c>vmlinuz*</c>, <c>linux</c>, <c>bzImage*</c>, <c>kernel*</c> are kernels; <c>initrd*</c>,
/// <c>initramfs*</c> are initrds; <c>*.efi</c>, <c>*.kpxe</c>, <c>*.pxe</c> are loaders. Anything else is
/// no stage (ISOs, install trees, repositories).
/// </summary>
public sealed class HttpArtifactClassifier
{
    private readonly string _basePath;
    private readonly HashSet<string> _kernels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _initrds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loaders = new(StringComparer.Ordinal);

    /// <summary>Conventions only: no fleet, served from the HTTP root at <c>/</c>.</summary>
    public HttpArtifactClassifier()
    {
        _basePath = "/";
    }

    /// <summary>The fleet's profile kernels/initrds and HTTP loaders first, then the conventions.</summary>
    public HttpArtifactClassifier(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var baseUrl = fleet.Boot.HttpBaseUrl;
        _basePath = Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "/";
        foreach (var profile in fleet.Profiles.Values)
        {
            AddPath(_kernels, profile.Kernel, baseUrl);
            AddPath(_initrds, profile.Initrd, baseUrl);
        }

        foreach (var loader in fleet.Boot.Loaders.Values)
        {
            AddPath(_loaders, loader.Replace("{http}", baseUrl, StringComparison.Ordinal), baseUrl);
        }
    }

    /// <summary>The stage <paramref name="path"/> stands for (<see cref="BootStage.None"/> when none) and, for a per-node route, its MAC.</summary>
    public BootStage Classify(string? path, out PhysicalAddress? routeMac)
    {
        routeMac = null;
        if (string.IsNullOrEmpty(path))
        {
            return BootStage.None;
        }

        var relative = Relative(path);
        if (relative is null)
        {
            return BootStage.None;
        }

        if (BootRoutes.TryParse(relative, out var route))
        {
            routeMac = route.MacAddress;
            return route.Kind switch
            {
                BootRouteKind.Script => BootStage.ScriptFetched,
                BootRouteKind.PhoneHome => BootStage.Installed,
                _ => BootStage.AnswerFile,
            };
        }

        if (_kernels.Contains(relative))
        {
            return BootStage.Kernel;
        }

        if (_initrds.Contains(relative))
        {
            return BootStage.Initrd;
        }

        if (_loaders.Contains(relative))
        {
            return BootStage.NbpFetched;
        }

        return ByConvention(relative[(relative.LastIndexOf('/') + 1)..]);
    }

    private static BootStage ByConvention(string fileName)
    {
        var name = fileName.ToLowerInvariant();
        if (name.StartsWith("vmlinuz", StringComparison.Ordinal) || name == "linux" || name.StartsWith("bzimage", StringComparison.Ordinal) || name.StartsWith("kernel", StringComparison.Ordinal))
        {
            return BootStage.Kernel;
        }

        if (name.StartsWith("initrd", StringComparison.Ordinal) || name.StartsWith("initramfs", StringComparison.Ordinal))
        {
            return BootStage.Initrd;
        }

        if (name.EndsWith(".efi", StringComparison.Ordinal) || name.EndsWith(".kpxe", StringComparison.Ordinal) || name.EndsWith(".pxe", StringComparison.Ordinal))
        {
            return BootStage.NbpFetched;
        }

        return BootStage.None;
    }

    /// <summary>The path below the base URL's path, without a leading '/'; null when it is outside it.</summary>
    private string? Relative(string path)
    {
        var absolute = path.StartsWith('/') ? path : "/" + path;
        return absolute.StartsWith(_basePath, StringComparison.Ordinal) ? absolute[_basePath.Length..] : null;
    }

    private static void AddPath(HashSet<string> set, string? value, string baseUrl)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            // An absolute URL counts only when it is served by us (under the base URL).
            if (value.StartsWith(baseUrl, StringComparison.OrdinalIgnoreCase))
            {
                set.Add(value[baseUrl.Length..].TrimStart('/'));
            }

            return;
        }

        set.Add(value.TrimStart('/'));
    }
}
