using NodeFoundry.Fleet;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Fleet;

/// <summary>The fleet file's <c>tftp:</c> section: values, defaults, and errors with line and column.</summary>
public sealed class FleetTftpSectionTests
{
    // Lines 1-5; the tftp section starts on line 6.
    private const string Base = """
        server:
          address: 192.0.2.1
          tftpPort: 6969
        dhcp:
          mode: proxy

        """;

    [Fact]
    public void Defaults_without_a_tftp_section()
    {
        var fleet = FleetLoader.Parse(Base).Fleet!;
        var options = TftpServerOptions.FromFleet(fleet);
        Assert.Equal(64, options.MaxActiveTransfers);
        Assert.Equal(1468, options.MaxBlockSize);
        Assert.False(options.SinglePort);
        Assert.Equal(6969, options.Port);
        Assert.Equal(fleet.Server.TftpRoot, options.Root);
    }

    [Fact]
    public void Every_key_is_read_into_the_server_options()
    {
        var yaml = Base + """
            tftp:
              maxActiveTransfers: 128
              maxQueuedTransfers: 1000
              maxQueueWait: 3s
              maxBlockSize: 1432
              maxWindowSize: 16
              singlePort: true
              maxRetries: 8
              retransmitsPerClientTimeout: 8
              doubleResendAfterTimeouts: 2
              maxCachedFileBytes: 1048576
              loopNice: -10
            """;
        var result = FleetLoader.Parse(yaml);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var options = TftpServerOptions.FromFleet(result.Fleet!);
        Assert.Equal(128, options.MaxActiveTransfers);
        Assert.Equal(1000, options.MaxQueuedTransfers);
        Assert.Equal(TimeSpan.FromSeconds(3), options.MaxQueueWait);
        Assert.Equal(1432, options.MaxBlockSize);
        Assert.Equal(16, options.MaxWindowSize);
        Assert.True(options.SinglePort);
        Assert.Equal(8, options.MaxRetries);
        Assert.Equal(8, options.RetransmitsPerClientTimeout);
        Assert.Equal(2, options.DoubleResendAfterTimeouts);
        Assert.Equal(1 << 20, options.MaxCachedFileBytes);
        Assert.Equal(-10, options.LoopNice);
        options.Validate();
    }

    [Theory]
    [InlineData("maxActiveTransfers: 0", "tftp.maxActiveTransfers", 7, 23, "from 1 to 10000")]
    [InlineData("maxBlockSize: 100", "tftp.maxBlockSize", 7, 17, "from 512 to 65464")]
    [InlineData("maxWindowSize: many", "tftp.maxWindowSize", 7, 18, "from 1 to 65535")]
    [InlineData("singlePort: maybe", "tftp.singlePort", 7, 15, "true or false")]
    [InlineData("maxQueueWait: 10s", "tftp.maxQueueWait", 7, 17, "3s or less")]
    [InlineData("maxQueueWait: soon", "tftp.maxQueueWait", 7, 17, "unit")]
    [InlineData("loopNice: 5", "tftp.loopNice", 7, 13, "from -20 to 0")]
    [InlineData("loopNice: high", "tftp.loopNice", 7, 13, "such as -5")]
    [InlineData("maxActive: 3", "tftp.maxActive", 7, 3, "maxActiveTransfers")]
    public void Bad_values_are_reported_at_their_line_and_column(string line, string field, int expectedLine, int column, string fix)
    {
        var result = FleetLoader.Parse(Base + "tftp:\n  " + line + "\n", "bad.yaml");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal((expectedLine, column), (error.Line, error.Column));
        Assert.Contains(fix, error.Message + " " + error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Tftp_section_must_be_a_mapping()
    {
        var result = FleetLoader.Parse(Base + "tftp: 64\n", "bad.yaml");
        Assert.Contains(result.Errors, e => e.Field == "tftp" && e.Line == 6);
    }
}
