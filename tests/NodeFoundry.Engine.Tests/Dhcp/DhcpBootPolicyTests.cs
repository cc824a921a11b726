using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>The boot decision as a table: firmware × iPXE × known/unknown → what the client must get.</summary>
public sealed class DhcpBootPolicyTests
{
    private static readonly PhysicalAddress Known = PhysicalAddress.Parse("52-54-00-00-00-01");
    private static readonly PhysicalAddress Stranger = PhysicalAddress.Parse("02-00-00-00-00-99");

    private static DhcpClientFacts Client(PhysicalAddress mac, ushort? arch, bool ipxe = false, string? vendor = null, bool opt175 = false) =>
        new(mac, arch, vendor ?? (arch is { } a ? (a is 15 or 16 or 19 ? "HTTPClient" : "PXEClient") + $":Arch:{a:D5}:UNDI:003000" : null), ipxe, opt175, null, null);

    public static TheoryData<ushort, bool, string, string> Table => new()
    {
        // arch, iPXE, expected boot file, expected option 60
        { 0, false, "undionly.kpxe", "PXEClient" },
        { 7, false, "ipxe.efi", "PXEClient" },
        { 9, false, "ipxe.efi", "PXEClient" },           // x64 firmware sending the EBC code
        { 11, false, "ipxe-arm64.efi", "PXEClient" },
        { 16, false, "http://192.0.2.1/ipxe.efi", "HTTPClient" },
        { 0, true, "http://192.0.2.1/boot/02:00:00:00:00:99.ipxe", "PXEClient" },
        { 7, true, "http://192.0.2.1/boot/02:00:00:00:00:99.ipxe", "PXEClient" },
        { 9, true, "http://192.0.2.1/boot/02:00:00:00:00:99.ipxe", "PXEClient" },
        { 11, true, "http://192.0.2.1/boot/02:00:00:00:00:99.ipxe", "PXEClient" },
        { 16, true, "http://192.0.2.1/boot/02:00:00:00:00:99.ipxe", "HTTPClient" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Firmware_and_ipxe_pick_the_boot_file(ushort arch, bool ipxe, string bootFile, string vendorClass)
    {
        var policy = new DhcpBootPolicy(LabFleetFixture.Config);
        var decision = policy.DecideBoot(Client(Stranger, arch, ipxe));

        Assert.Equal(bootFile, decision.BootFile);
        Assert.Equal(vendorClass, decision.VendorClass);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), decision.NextServer);
        Assert.Equal(ipxe, decision.IsIpxe);
    }

    [Fact]
    public void Option_175_alone_marks_ipxe()
    {
        var decision = new DhcpBootPolicy(LabFleetFixture.Config).DecideBoot(Client(Stranger, 0, opt175: true));
        Assert.True(decision.IsIpxe);
        Assert.EndsWith(".ipxe", decision.BootFile, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_architecture_gets_no_boot_file_and_a_reason()
    {
        var decision = new DhcpBootPolicy(LabFleetFixture.Config).DecideBoot(Client(Stranger, 4242));
        Assert.Null(decision.BootFile);
        Assert.Equal(FirmwareKind.Unknown, decision.Firmware);
        Assert.Contains("4242", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Architecture_without_a_configured_loader_names_the_missing_key()
    {
        // `efi-ia32: ~` removes the default loader: that firmware gets no boot answer.
        var fleet = LabFleetFixture.Load(yaml => yaml.Replace("    bios: undionly.kpxe\n", "    bios: undionly.kpxe\n    efi-ia32: ~\n", StringComparison.Ordinal));
        var decision = new DhcpBootPolicy(fleet).DecideBoot(Client(Stranger, 6));
        Assert.Null(decision.BootFile);
        Assert.Contains("boot.loaders.efi-ia32", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_os_client_is_not_a_boot_client()
    {
        var facts = Client(Stranger, null, vendor: "udhcp 1.35.0");
        var policy = new DhcpBootPolicy(LabFleetFixture.Config);
        Assert.False(facts.IsBootClient);
        Assert.Null(policy.DecideBoot(facts).BootFile);
        Assert.Equal(AddressSource.NormalRange, policy.DecideAddressSource(facts, LabFleetFixture.Config.Dhcp.Scopes[0]));
    }

    [Fact]
    public void PXEClient_without_option_93_is_legacy_bios()
    {
        var decision = new DhcpBootPolicy(LabFleetFixture.Config).DecideBoot(Client(Stranger, null, vendor: "PXEClient:Arch:00000:UNDI:002001"));
        Assert.Equal(FirmwareKind.Bios, decision.Firmware);
        Assert.Equal("undionly.kpxe", decision.BootFile);
    }

    [Fact]
    public void Known_node_gets_its_reservation_unknown_pxe_the_pxe_range()
    {
        var policy = new DhcpBootPolicy(LabFleetFixture.Config);
        var scope = LabFleetFixture.Config.Dhcp.Scopes[0];
        Assert.Equal(AddressSource.Reservation, policy.DecideAddressSource(Client(Known, 0), scope));
        Assert.Equal(AddressSource.PxeRange, policy.DecideAddressSource(Client(Stranger, 0), scope));
    }

    [Fact]
    public void Per_node_overrides_replace_loader_and_mark_ipxe_derived_roms()
    {
        var fleet = LabFleetFixture.Load(yaml => yaml.Replace(
            "    profile: rhel-9\n",
            "    profile: rhel-9\n    boot: { loader: snponly.efi, treatAsIpxe: false }\n",
            StringComparison.Ordinal).Replace(
            "    profile: debian-12\n",
            "    profile: debian-12\n    boot: { treatAsIpxe: true }\n",
            StringComparison.Ordinal));
        var policy = new DhcpBootPolicy(fleet);

        Assert.Equal("snponly.efi", policy.DecideBoot(Client(PhysicalAddress.Parse("52-54-00-00-00-02"), 7)).BootFile);

        // A FlexBoot-like ROM: iPXE inside, but no user class. The override sends it the script.
        var flexboot = policy.DecideBoot(Client(PhysicalAddress.Parse("52-54-00-00-00-03"), 7));
        Assert.True(flexboot.IsIpxe);
        Assert.Equal("http://192.0.2.1/boot/52:54:00:00:00:03.ipxe", flexboot.BootFile);
    }

    [Fact]
    public void Unknown_pxe_clients_can_be_refused()
    {
        var fleet = LabFleetFixture.Load(yaml => yaml.Replace("answerUnknownPxeClients: true", "answerUnknownPxeClients: false", StringComparison.Ordinal));
        var policy = new DhcpBootPolicy(fleet);
        Assert.Null(policy.DecideBoot(Client(Stranger, 0)).BootFile);
        Assert.Equal(AddressSource.None, policy.DecideAddressSource(Client(Stranger, 0), fleet.Dhcp.Scopes[0]));
        Assert.NotNull(policy.DecideBoot(Client(Known, 0)).BootFile);
    }

    [Fact]
    public void Scope_is_chosen_by_relay_then_by_local_address()
    {
        var policy = new DhcpBootPolicy(LabFleetFixture.Config);
        Assert.NotNull(policy.SelectScope(IPAddress.Parse("192.0.2.2"), IPAddress.Any));
        Assert.Null(policy.SelectScope(IPAddress.Parse("198.51.100.1"), IPAddress.Any));
        Assert.NotNull(policy.SelectScope(null, IPAddress.Parse("192.0.2.1")));
        Assert.NotNull(policy.SelectScope(IPAddress.Loopback, IPAddress.Loopback));
    }

    [Fact]
    public void Mac_is_formatted_like_ipxe_does()
    {
        Assert.Equal("52:54:00:0a:bc:ff", MacAddressText.Format(PhysicalAddress.Parse("52-54-00-0A-BC-FF")));
    }
}
