using NodeFoundry.BootPath;

namespace NodeFoundry.Tests.BootPath;

/// <summary>Reading the URLs an iPXE script fetches, with iPXE's settings expanded as the client would.</summary>
public sealed class IpxeScriptReaderTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["mac"] = "52:54:00:00:00:01",
        ["buildarch"] = "x86_64",
        ["platform"] = "efi",
    };

    [Fact]
    public void Options_error_handling_and_settings_are_read_as_iPXE_does()
    {
        var reader = new IpxeScriptReader(Settings);
        reader.Read("""
            #!ipxe
            set base http://192.0.2.1
            :retry
            kernel --name kernel --timeout 45000 ${base}/rescue/${buildarch}/vmlinuz ds=nocloud-net;s=${base}/nocloud/${mac}/ || goto retry
            initrd -n initrd ${base}/rescue/initrd-${mac:hexhyp} || goto retry
            imgfetch --autofree http://192.0.2.1/extra.img
            chain http://${next-server}/menu.ipxe || goto retry
            boot
            """);

        Assert.Equal(
            [
                ("kernel", "http://192.0.2.1/rescue/x86_64/vmlinuz"),
                ("initrd", "http://192.0.2.1/rescue/initrd-52-54-00-00-00-01"),
                ("initrd", "http://192.0.2.1/extra.img"),
            ],
            reader.Images.Select(i => (i.Command, i.Url)));
        Assert.Equal(["ds=nocloud-net;s=http://192.0.2.1/nocloud/52:54:00:00:00:01/"], reader.Images[0].Arguments);
        Assert.Equal(["chain http://${next-server}/menu.ipxe"], reader.Unresolved);
        Assert.False(reader.BootsOtherwise);
    }

    [Fact]
    public void A_script_that_exits_to_disk_boots_otherwise()
    {
        var reader = new IpxeScriptReader(Settings);
        reader.Read("#!ipxe\necho local disk\nexit\n");
        Assert.Empty(reader.Images);
        Assert.True(reader.BootsOtherwise);
    }

    [Fact]
    public void Requests_encode_colons_in_the_path_as_iPXE_does()
    {
        Assert.Equal("/nocloud/52%3A54%3A00%3A00%3A00%3A01/user-data", IpxeScriptReader.RequestUri("http://192.0.2.1:8080/nocloud/52:54:00:00:00:01/user-data").PathAndQuery);
    }
}
