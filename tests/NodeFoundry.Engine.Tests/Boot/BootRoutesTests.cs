using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Boot;

public sealed class BootRoutesTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("52-54-00-AB-CD-01");

    [Fact]
    public void Routes_use_the_lower_case_colon_mac()
    {
        Assert.Equal("boot/52:54:00:ab:cd:01.ipxe", BootRoutes.Script(Mac));
        Assert.Equal("nocloud/52:54:00:ab:cd:01/", BootRoutes.NoCloudSeed(Mac));
        Assert.Equal("nocloud/52:54:00:ab:cd:01/meta-data", BootRoutes.NoCloudFile(Mac, BootRoutes.MetaData));
        Assert.Equal("ks/52:54:00:ab:cd:01.cfg", BootRoutes.Kickstart(Mac));
        Assert.Equal("preseed/52:54:00:ab:cd:01.cfg", BootRoutes.Preseed(Mac));
        Assert.Equal("phone-home/52:54:00:ab:cd:01", BootRoutes.PhoneHome(Mac));
        Assert.Equal("http://192.0.2.1:8080/boot/x.ipxe", BootRoutes.Absolute("http://192.0.2.1:8080/", "/boot/x.ipxe"));
    }

    [Fact]
    public void The_script_route_is_the_dhcp_default_script_url()
    {
        Assert.Equal(BootSettings.DefaultIpxeScriptUrl, BootSettings.HttpPlaceholder + BootRoutes.Script(BootSettings.MacPlaceholder));
    }

    [Theory]
    [InlineData("/boot/52:54:00:ab:cd:01.ipxe", BootRouteKind.Script, null)]
    [InlineData("boot/52%3A54%3A00%3Aab%3Acd%3A01.ipxe", BootRouteKind.Script, null)]
    [InlineData("/boot/52-54-00-AB-CD-01.ipxe", BootRouteKind.Script, null)]
    [InlineData("/nocloud/52:54:00:ab:cd:01/user-data", BootRouteKind.NoCloud, "user-data")]
    [InlineData("/nocloud/525400abcd01/network-config", BootRouteKind.NoCloud, "network-config")]
    [InlineData("/ks/52:54:00:ab:cd:01.cfg", BootRouteKind.Kickstart, null)]
    [InlineData("/preseed/52:54:00:ab:cd:01.cfg", BootRouteKind.Preseed, null)]
    [InlineData("/phone-home/52:54:00:ab:cd:01", BootRouteKind.PhoneHome, null)]
    public void Request_paths_parse_in_every_mac_spelling(string path, BootRouteKind kind, string? file)
    {
        Assert.True(BootRoutes.TryParse(path, out BootRoute? route));
        Assert.Equal(new BootRoute(kind, Mac, file), route);
    }

    [Theory]
    [InlineData("/nocloud/52:54:00:ab:cd:01/")]
    [InlineData("/nocloud/52:54:00:ab:cd:01/etc-passwd")]
    [InlineData("/boot/52:54:00:ab:cd.ipxe")]
    [InlineData("/boot/../boot/52:54:00:ab:cd:01.ipxe")]
    [InlineData("/ks/52:54:00:ab:cd:01")]
    [InlineData("")]
    public void Other_paths_are_not_routes(string path)
    {
        Assert.False(BootRoutes.TryParse(path, out _));
    }

    [Fact]
    public void A_parsed_route_prints_its_canonical_path()
    {
        Assert.True(BootRoutes.TryParse("/nocloud/52-54-00-AB-CD-01/meta-data", out BootRoute? route));
        Assert.Equal("nocloud/52:54:00:ab:cd:01/meta-data", route.Path);
    }
}
