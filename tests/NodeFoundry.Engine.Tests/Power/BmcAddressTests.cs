using NodeFoundry.Power;

namespace NodeFoundry.Tests.Power;

public sealed class BmcAddressTests
{
    [Fact]
    public void A_host_keeps_the_protocol_default_port_and_TLS()
    {
        Assert.Equal(new BmcEndpoint("192.0.2.21", BmcProtocol.Redfish), BmcAddress.ToEndpoint(" 192.0.2.21 ", BmcProtocol.Redfish));
        Assert.Equal(623, BmcAddress.ToEndpoint("r1-n1-bmc", BmcProtocol.Ipmi).EffectivePort);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000", "127.0.0.1", 8000, false)]
    [InlineData("https://bmc.lab/redfish/v1/", "bmc.lab", null, true)]
    [InlineData("HTTP://bmc.lab", "bmc.lab", null, false)]
    public void A_Redfish_URL_gives_host_port_and_TLS(string address, string host, int? port, bool tls)
    {
        BmcEndpoint endpoint = BmcAddress.ToEndpoint(address, BmcProtocol.Redfish);

        Assert.Equal((host, port, tls), (endpoint.Host, endpoint.Port, endpoint.UseTls));
    }

    [Theory]
    [InlineData("http://admin:pw@bmc.lab", BmcProtocol.Redfish)]
    [InlineData("https://bmc.lab/other", BmcProtocol.Redfish)]
    [InlineData("ftp://bmc.lab", BmcProtocol.Redfish)]
    [InlineData("http://bmc.lab", BmcProtocol.Ipmi)]
    [InlineData(" ", BmcProtocol.Redfish)]
    public void Other_addresses_are_refused_without_echoing_credentials(string address, BmcProtocol protocol)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => BmcAddress.ToEndpoint(address, protocol));

        Assert.DoesNotContain(":pw@", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ipmi", true, BmcProtocol.Ipmi)]
    [InlineData("Redfish", true, BmcProtocol.Redfish)]
    [InlineData("snmp", false, BmcProtocol.Ipmi)]
    public void Protocol_names(string text, bool ok, BmcProtocol expected)
    {
        Assert.Equal(ok, BmcAddress.TryParseProtocol(text, out BmcProtocol protocol));
        Assert.Equal(expected, protocol);
    }
}
