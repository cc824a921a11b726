using System.Net;
using NodeFoundry.Simulation;

namespace NodeFoundry.Tests.Simulation;

/// <summary>What a simulated node downloads after reading a script: the first kernel and initrd URLs, settings expanded.</summary>
public sealed class IpxeScriptReaderTests
{
    private static readonly Uri ScriptUrl = new("http://192.0.2.1:8080/boot/52:54:00:00:00:01.ipxe");
    private static readonly IpxeSettings Node = new("52:54:00:00:00:01", Guid.Parse("3f2b1a1e-0000-4000-8000-000000000001"), IPAddress.Parse("192.0.2.150"));

    [Fact]
    public void A_NodeFoundry_script_yields_the_kernel_and_initrd_of_its_first_attempt_with_options_and_settings_handled()
    {
        const string script = """
            #!ipxe
            iseq ${platform} efi && set nf_initrd initrd=initrd ||
            :nf_try
            imgfree
            kernel --name kernel --timeout 30000 http://192.0.2.1:8080/${buildarch}/vmlinuz ${nf_initrd} ds=nocloud-net;s=http://192.0.2.1:8080/nocloud/${mac}/ || goto nf_retry
            initrd --name initrd --timeout 30000 http://192.0.2.1:8080/initrd?mac=${mac:hexhyp} || goto nf_retry
            boot || goto nf_retry
            :nf_retry
            kernel http://192.0.2.1:8080/other/vmlinuz
            """;

        var (kernel, initrd) = IpxeScriptReader.Read(script, ScriptUrl, Node);

        Assert.Equal("http://192.0.2.1:8080/x86_64/vmlinuz", kernel?.ToString());
        Assert.Equal("http://192.0.2.1:8080/initrd?mac=52:54:00:00:00:01", initrd?.ToString());
    }

    [Fact]
    public void Relative_images_resolve_against_the_script_and_a_script_without_them_yields_none()
    {
        var (kernel, initrd) = IpxeScriptReader.Read("#!ipxe\nkernel vmlinuz\ninitrd -n initrd initrd.img\nboot\n", ScriptUrl, Node);
        Assert.Equal("http://192.0.2.1:8080/boot/vmlinuz", kernel?.ToString());
        Assert.Equal("http://192.0.2.1:8080/boot/initrd.img", initrd?.ToString());

        var none = IpxeScriptReader.Read("#!ipxe\necho discovery\nsleep 5\nexit\n", ScriptUrl, Node);
        Assert.Equal((null, null), none);
    }

    [Theory]
    [InlineData("${mac}", "52:54:00:00:00:01")]
    [InlineData("a${unset}b", "ab")]
    [InlineData("${ip}/${uuid}", "192.0.2.150/3f2b1a1e-0000-4000-8000-000000000001")]
    [InlineData("open ${mac", "open ${mac")]
    public void Settings_expand_as_iPXE_expands_them(string text, string expected) =>
        Assert.Equal(expected, IpxeScriptReader.Expand(text, Node));
}
