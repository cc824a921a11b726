using System.Text;
using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power;

/// <summary>
/// No password reaches any text the IPMI client emits: every operation against ipmi_sim, failing ones included,
/// with every log line, exception message and ToString collected and searched for the password, its UTF-8 bytes in
/// hex (either case, as the padded 20-byte key too) and in Base64.
/// </summary>
public sealed class IpmiSecretsTests : IClassFixture<IpmiSimulator>
{
    private const string WrongPassword = "Wr0ng-b4d2e1-Secret";
    private const string OverlongPassword = "Overlong-0123456789-abcdef";
    private readonly IpmiSimulator _bmc;

    public IpmiSecretsTests(IpmiSimulator bmc)
    {
        _bmc = bmc;
    }

    [Fact]
    public async Task No_password_appears_in_logs_exceptions_or_object_text()
    {
        var emitted = new List<string>();
        var options = new IpmiConnectOptions { Log = emitted.Add };
        var credential = IpmiSimulator.Credential;
        emitted.Add(credential.ToString());
        emitted.Add(options.ToString());

        await using (var client = await IpmiBmcClient.ConnectAsync(_bmc.Endpoint, credential, options, CancellationToken.None))
        {
            emitted.Add(client.ToString());
            emitted.Add(client.CipherSuite.ToString());
            await client.SetPowerAsync(PowerAction.On, CancellationToken.None);
            emitted.Add((await client.GetPowerStateAsync(CancellationToken.None)).ToString());
            await client.SetPowerAsync(PowerAction.Reset, CancellationToken.None);
            await client.SetPowerAsync(PowerAction.Off, CancellationToken.None);
            await client.SetBootOverrideAsync(new BootOverride(BootDevice.Pxe), CancellationToken.None);
            emitted.Add((await client.GetBootOverrideAsync(CancellationToken.None)).ToString());
            emitted.Add((await client.GetBootFlagsAsync(CancellationToken.None)).ToString());
            Collect(emitted, await Assert.ThrowsAsync<BmcException>(() => client.SetBootOverrideAsync(new BootOverride(BootDevice.UefiHttp), CancellationToken.None)));
        }

        Collect(emitted, await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, new BmcCredential(IpmiSimulator.UserName, WrongPassword), options, CancellationToken.None)));
        Collect(emitted, await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, new BmcCredential("nobody", IpmiSimulator.Password), options, CancellationToken.None)));
        Collect(emitted, await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, new BmcCredential(IpmiSimulator.UserName, OverlongPassword), options, CancellationToken.None)));
        Collect(emitted, await Assert.ThrowsAsync<BmcException>(() => IpmiBmcClient.ConnectAsync(_bmc.Endpoint, credential, options with { CipherSuites = [17] }, CancellationToken.None)));

        Assert.True(emitted.Count > 15, $"the test collected too little to mean anything: {emitted.Count} texts");
        Assert.Contains(emitted, text => text.Contains("authentication failed for user 'admin'", StringComparison.Ordinal));
        foreach (var secret in new[] { IpmiSimulator.Password, WrongPassword, OverlongPassword })
        {
            foreach (var form in Forms(secret))
            {
                var leak = emitted.FirstOrDefault(text => text.Contains(form, StringComparison.OrdinalIgnoreCase));
                Assert.True(leak is null, $"a form of a password appears in: {leak}");
            }
        }
    }

    private static void Collect(List<string> emitted, BmcException ex)
    {
        emitted.Add(ex.Message);
        emitted.Add(ex.ToString());
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            emitted.Add(inner.ToString());
        }
    }

    private static IEnumerable<string> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var padded = new byte[Math.Max(20, bytes.Length)];
        bytes.CopyTo(padded, 0);
        yield return secret;
        yield return Convert.ToHexString(bytes);              // compared ignoring case: lower-case hex too
        yield return Convert.ToHexString(padded);
        yield return BitConverter.ToString(bytes);            // "50-77-…"
        yield return Convert.ToBase64String(bytes);
    }
}
