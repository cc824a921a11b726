using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.BootPath;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Probe;

namespace NodeFoundry.Tests.BootPath;

/// <summary>The DHCP judgement on offers made up in the test, no sockets: each row one server behaviour and the cause it earns.</summary>
public sealed class BootPathDhcpChecksTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-4E-46-00-00-01");
    private static readonly IPAddress Server = IPAddress.Parse("192.0.2.1");

    [Theory]
    [InlineData(0, "undionly.kpxe", "192.0.2.1", null, BootPathCause.None)]
    [InlineData(0, "ipxe.efi", "192.0.2.1", null, BootPathCause.WrongNbpForFirmware)] // BIOS cannot run an EFI binary
    [InlineData(7, "undionly.kpxe", "192.0.2.1", null, BootPathCause.WrongNbpForFirmware)] // UEFI cannot run a BIOS one
    [InlineData(9, "snponly.efi", "192.0.2.1", null, BootPathCause.None)]
    [InlineData(7, "http://192.0.2.1/ipxe.efi", "192.0.2.1", null, BootPathCause.WrongNbpForFirmware)] // a PXE ROM speaks TFTP only
    [InlineData(7, null, "192.0.2.1", null, BootPathCause.NoBootFile)]
    [InlineData(7, "ipxe.efi", null, null, BootPathCause.NoNextServer)]
    [InlineData(16, "http://192.0.2.1/ipxe.efi", "192.0.2.1", "HTTPClient", BootPathCause.None)]
    [InlineData(16, "http://192.0.2.1/ipxe.efi", "192.0.2.1", null, BootPathCause.HttpClientNotEchoed)]
    [InlineData(16, "ipxe.efi", "192.0.2.1", "HTTPClient", BootPathCause.BootFileNotUrl)]
    public void Bare_firmware_without_a_fleet_file(ushort arch, string? file, string? nextServer, string? vendorClass, BootPathCause expected)
    {
        var firmware = new BootPathFirmware(arch, Ipxe: false);
        var check = Judge(firmware, Offer(file, nextServer, vendorClass), expect: null);
        Assert.True(expected == check.Cause, check.ToString());
    }

    [Theory]
    [InlineData("http://192.0.2.1/boot/02:4e:46:00:00:01.ipxe", BootPathCause.None)]
    [InlineData("boot.ipxe", BootPathCause.None)] // a script over TFTP (the autoexec alternative) is a loop break too
    [InlineData("undionly.kpxe", BootPathCause.MissingIpxeLoopBreak)]
    [InlineData("snponly.efi", BootPathCause.MissingIpxeLoopBreak)]
    [InlineData("pxelinux.0", BootPathCause.MissingIpxeLoopBreak)]
    public void iPXE_must_get_a_script_not_a_loader(string file, BootPathCause expected)
    {
        var check = Judge(new BootPathFirmware(0, Ipxe: true), Offer(file, "192.0.2.1", null), expect: null);
        Assert.True(expected == check.Cause, check.ToString());
    }

    [Fact]
    public void With_a_fleet_file_the_loader_next_server_and_script_URL_must_be_the_fleets()
    {
        var expect = new BootPathExpectations
        {
            BootServer = Server,
            Loaders = new Dictionary<FirmwareKind, string> { [FirmwareKind.EfiX64] = "ipxe.efi" },
            ScriptUrl = "http://192.0.2.1/boot/02:4e:46:00:00:01.ipxe",
        };
        Assert.Equal(BootPathCause.None, Judge(new BootPathFirmware(7, false), Offer("/ipxe.efi", "192.0.2.1", null), expect).Cause); // a leading '/' is the root
        Assert.Equal(BootPathCause.WrongNbpForFirmware, Judge(new BootPathFirmware(7, false), Offer("snponly.efi", "192.0.2.1", null), expect).Cause);
        Assert.Equal(BootPathCause.WrongNextServer, Judge(new BootPathFirmware(7, false), Offer("ipxe.efi", "192.0.2.9", null), expect).Cause);
        Assert.Equal(BootPathCause.WrongScriptUrl, Judge(new BootPathFirmware(7, true), Offer("http://192.0.2.1/boot.ipxe", "192.0.2.1", null), expect).Cause);
    }

    [Fact]
    public void ProxyDHCP_offers_do_not_count_as_a_second_DHCP_server()
    {
        var address = Offer("undionly.kpxe", "192.0.2.1", null, identifier: "192.0.2.1");
        var proxy = Offer("undionly.kpxe", "192.0.2.5", "PXEClient", identifier: "192.0.2.5", yourAddress: IPAddress.Any);
        var rogue = Offer(null, null, null, identifier: "192.0.2.66");

        var one = BootPathDhcpChecks.Servers([address, proxy]);
        Assert.True(one.Passed, one.ToString());
        Assert.Equal("one DHCP server: 192.0.2.1; proxyDHCP (boot information only): 192.0.2.5", one.Detail);

        var two = BootPathDhcpChecks.Servers([address, proxy, rogue]);
        Assert.Equal(BootPathCause.MoreThanOneDhcpServer, two.Cause);
        Assert.Contains("192.0.2.1 and 192.0.2.66", two.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void When_two_servers_answer_the_expected_boot_servers_offer_is_judged()
    {
        var expect = new BootPathExpectations { BootServer = Server };
        var firmware = new BootPathFirmware(0, false);
        var set = new DhcpOfferSet(Request(firmware), [Offer(null, null, null, identifier: "192.0.2.66"), Offer("undionly.kpxe", "192.0.2.1", null)]);
        var (checks, answers) = BootPathDhcpChecks.Evaluate([(firmware, set)], expect, TimeSpan.FromSeconds(1));
        Assert.Equal(Server, answers[0].Offer!.Server);
        Assert.Equal(BootPathCause.MoreThanOneDhcpServer, checks[0].Cause);
        Assert.True(checks[1].Passed, checks[1].ToString());
    }

    private static BootPathCheck Judge(BootPathFirmware firmware, ReceivedOffer offer, BootPathExpectations? expect)
    {
        var (checks, _) = BootPathDhcpChecks.Evaluate([(firmware, new DhcpOfferSet(Request(firmware), [offer]))], expect, TimeSpan.FromSeconds(1));
        return checks.Single(c => c.Target == firmware.Label);
    }

    private static DhcpDiscover Request(BootPathFirmware firmware) => new(Mac, firmware.Architecture, firmware.VendorClass, firmware.Ipxe);

    private static ReceivedOffer Offer(string? file, string? nextServer, string? vendorClass, string identifier = "192.0.2.1", IPAddress? yourAddress = null)
    {
        var packet = new DhcpPacket { Op = DhcpOpCode.BootReply, MacAddress = Mac, YourAddress = yourAddress ?? IPAddress.Parse("192.0.2.150") };
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Offer);
        packet.Options.SetAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse(identifier));
        if (file is not null)
        {
            packet.Options.SetString(DhcpOptionCode.BootFileName, file);
        }

        if (nextServer is not null)
        {
            packet.ServerAddress = IPAddress.Parse(nextServer);
        }

        if (vendorClass is not null)
        {
            packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, vendorClass);
        }

        return new ReceivedOffer(packet, new IPEndPoint(IPAddress.Parse(identifier), 67), TimeSpan.Zero);
    }
}
