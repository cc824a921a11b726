using NodeFoundry.BootPath;

namespace NodeFoundry.Tests.BootPath;

/// <summary>Kernel-line checks that need no server: a malformed NoCloud seed URL is reported before anything is fetched.</summary>
public sealed class AnswerFileChecksTests
{
    [Theory]
    [InlineData("ds=nocloud-net;s=http://192.0.2.1/nocloud/52:54:00:00:00:01")]
    [InlineData("ds=nocloud;seedfrom=http://192.0.2.1/seed")]
    [InlineData("\"ds=nocloud-net;s=http://192.0.2.1/seed\"")]
    public async Task A_seed_URL_without_its_trailing_slash_is_reported(string argument)
    {
        using var http = new BootPathHttp(new BootPathOptions { Servers = [new(System.Net.IPAddress.Loopback, 67)] });
        var checks = await new AnswerFileChecks(http).CheckAsync(["autoinstall", argument], CancellationToken.None);

        var check = Assert.Single(checks);
        Assert.Equal(BootPathCause.SeedUrlNoTrailingSlash, check.Cause);
        Assert.StartsWith("malformed ds=nocloud-net;s=... (missing trailing /): ", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preseed_boot_without_auto_and_priority_critical_is_reported_even_when_the_file_is_missing()
    {
        using var http = new BootPathHttp(new BootPathOptions { Servers = [new(System.Net.IPAddress.Loopback, 67)], Timeout = TimeSpan.FromSeconds(5) });
        // Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
        var checks = await new AnswerFileChecks(http).CheckAsync(["priority=critical", "url=http://127.0.0.1:9/preseed.cfg"], CancellationToken.None);

        Assert.Equal([BootPathCause.PreseedNotFound, BootPathCause.PreseedNotAutomatic], checks.Select(c => c.Cause));
        Assert.Contains("no auto=true", checks[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_Ubuntu_url_for_the_ISO_is_not_mistaken_for_a_preseed()
    {
        using var http = new BootPathHttp(new BootPathOptions { Servers = [new(System.Net.IPAddress.Loopback, 67)] });
        var checks = await new AnswerFileChecks(http).CheckAsync(["ip=dhcp", "url=http://192.0.2.1/ubuntu.iso"], CancellationToken.None);
        Assert.Empty(checks);
    }
}
