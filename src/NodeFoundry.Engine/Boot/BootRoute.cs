using System.Net.NetworkInformation;

namespace NodeFoundry.Boot;

/// <summary>A parsed per-node route: which artifact, for which MAC, and (for NoCloud) which seed file.</summary>
/// <param name="Kind">The artifact.</param>
/// <param name="MacAddress">The node's boot MAC.</param>
/// <param name="File">The NoCloud seed file name (<c>user-data</c>, …); null for the other kinds.</param>
public sealed record BootRoute(BootRouteKind Kind, PhysicalAddress MacAddress, string? File = null)
{
    /// <summary>The canonical relative path of this route (no leading '/').</summary>
    public string Path => Kind switch
    {
        BootRouteKind.Script => BootRoutes.Script(MacAddress),
        BootRouteKind.NoCloud => BootRoutes.NoCloudFile(MacAddress, File ?? BootRoutes.UserData),
        BootRouteKind.Kickstart => BootRoutes.Kickstart(MacAddress),
        BootRouteKind.Preseed => BootRoutes.Preseed(MacAddress),
        _ => BootRoutes.PhoneHome(MacAddress),
    };
}
