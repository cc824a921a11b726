using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

/// <summary>The fleet file's <c>http:</c> section: values, defaults, and errors with line and column.</summary>
public sealed class FleetHttpSectionTests
{
    // Lines 1-4; the http section starts on line 5.
    private const string Base = """
        server:
          address: 192.0.2.1
        dhcp:
          mode: proxy

        """;

    [Fact]
    public void Defaults_without_an_http_section()
    {
        var fleet = FleetLoader.Parse(Base).Fleet!;
        Assert.Equal(UnknownNodePolicy.Discovery, fleet.Http.UnknownNodes);
        Assert.Equal(TimeSpan.FromSeconds(10), fleet.Http.DiscoveryDelay);
        Assert.False(fleet.Http.DisarmAfterInstall);
        Assert.Equal(16_384, fleet.Http.MaxConnections);
        Assert.Equal(16_384, NodeFoundry.Http.HttpServerOptions.FromFleet(fleet).MaxConnections);
        Assert.Null(fleet.Http.EgressMbps);
        Assert.Null(NodeFoundry.Http.HttpServerOptions.FromFleet(fleet).EgressBytesPerSecond);
    }

    [Fact]
    public void Egress_budget_reaches_the_http_server_options_in_bytes_per_second()
    {
        var result = FleetLoader.Parse(Base + "http:\n  egressMbps: 950\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(950, result.Fleet!.Http.EgressMbps);
        Assert.Equal(118_750_000L, NodeFoundry.Http.HttpServerOptions.FromFleet(result.Fleet).EgressBytesPerSecond);
    }

    [Fact]
    public void Max_connections_reaches_the_http_server_options()
    {
        var result = FleetLoader.Parse(Base + "http:\n  maxConnections: 4000\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(4000, result.Fleet!.Http.MaxConnections);
        Assert.Equal(4000, NodeFoundry.Http.HttpServerOptions.FromFleet(result.Fleet).MaxConnections);
    }

    [Theory]
    [InlineData("discovery", UnknownNodePolicy.Discovery)]
    [InlineData("exit", UnknownNodePolicy.Exit)]
    [InlineData("404", UnknownNodePolicy.NotFound)]
    [InlineData("\"404\"", UnknownNodePolicy.NotFound)]
    public void Every_key_is_read(string unknownNodes, UnknownNodePolicy expected)
    {
        var result = FleetLoader.Parse(Base + $"http:\n  unknownNodes: {unknownNodes}\n  discoveryDelay: 30s\n  disarmAfterInstall: true\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(expected, result.Fleet!.Http.UnknownNodes);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Fleet.Http.DiscoveryDelay);
        Assert.True(result.Fleet.Http.DisarmAfterInstall);
    }

    [Theory]
    [InlineData("unknownNodes: reboot", "http.unknownNodes", 6, 17, "discovery")]
    [InlineData("disarmAfterInstall: yes please", "http.disarmAfterInstall", 6, 23, "true or false")]
    [InlineData("discoveryDelay: 2h", "http.discoveryDelay", 6, 19, "10s")]
    [InlineData("discoveryDelay: 0s", "http.discoveryDelay", 6, 19, "positive")]
    [InlineData("unknownNode: exit", "http.unknownNode", 6, 3, "unknownNodes")]
    [InlineData("maxConnections: 0", "http.maxConnections", 6, 19, "16384")]
    [InlineData("maxConnections: many", "http.maxConnections", 6, 19, "16384")]
    [InlineData("egressMbps: 0", "http.egressMbps", 6, 15, "950")]
    [InlineData("egressMbps: 1gbit", "http.egressMbps", 6, 15, "950")]
    public void Bad_values_are_reported_at_their_line_and_column(string line, string field, int expectedLine, int column, string fix)
    {
        var result = FleetLoader.Parse(Base + "http:\n  " + line + "\n", "bad.yaml");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal((expectedLine, column), (error.Line, error.Column));
        Assert.Contains(fix, error.Message + " " + error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_section_must_be_a_mapping()
    {
        var result = FleetLoader.Parse(Base + "http: discovery\n", "bad.yaml");
        Assert.Contains(result.Errors, e => e.Field == "http" && e.Line == 5);
    }
}
