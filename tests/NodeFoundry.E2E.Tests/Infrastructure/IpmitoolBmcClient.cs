using System.Globalization;
using NodeFoundry.Power;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// <see cref="IBmcClient"/> over the <c>ipmitool</c> command (<c>-I lanplus -C 3</c>: RMCP+ with HMAC-SHA1 and
/// AES-CBC-128, which ipmi_sim accepts; it rejects cipher suite 17). It stands in for NodeFoundry's own
/// <c>IpmiBmcClient</c> until that lands: the power test talks to the BMC only through <see cref="IBmcClient"/>, so
/// swapping in <c>await IpmiBmcClient.ConnectAsync(endpoint, credential, options, ct)</c> is a one-line change in
/// <c>PowerCycleTests.ConnectAsync</c>. The password goes to ipmitool through its environment (<c>-E</c>), never argv.
/// </summary>
public sealed class IpmitoolBmcClient : IBmcClient
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly BmcCredential _credential;
    private readonly string _ipmitool;

    public IpmitoolBmcClient(BmcEndpoint endpoint, BmcCredential credential)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        Endpoint = endpoint;
        _credential = credential;
        _ipmitool = Requirements.RequireTool("ipmitool", "ipmitool");
    }

    public BmcEndpoint Endpoint { get; }

    public Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken)
    {
        var output = Run(cancellationToken, "chassis", "power", "status");
        return Task.FromResult(
            output.Contains("is on", StringComparison.OrdinalIgnoreCase) ? PowerState.On
            : output.Contains("is off", StringComparison.OrdinalIgnoreCase) ? PowerState.Off
            : PowerState.Unknown);
    }

    public Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken)
    {
        var verb = action switch
        {
            PowerAction.None => null,
            PowerAction.On => "on",
            PowerAction.Off => "off",
            PowerAction.Cycle => "cycle",
            PowerAction.Reset => "reset",
            PowerAction.SoftOff => "soft",
            _ => throw new BmcException(Endpoint, BmcFailure.Unsupported, $"power action {action} is not supported"),
        };
        if (verb is not null)
        {
            Run(cancellationToken, "chassis", "power", verb);
        }

        return Task.CompletedTask;
    }

    public Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootOverride);
        var device = bootOverride.Device switch
        {
            BootDevice.None => "none",
            BootDevice.Pxe => "pxe",
            BootDevice.Disk => "disk",
            BootDevice.BiosSetup => "bios",
            _ => throw new BmcException(Endpoint, BmcFailure.Unsupported, $"IPMI has no boot device {bootOverride.Device}"),
        };
        var options = new List<string>();
        if (bootOverride.Uefi)
        {
            options.Add("efiboot");
        }

        if (bootOverride.Persistent)
        {
            options.Add("persistent");
        }

        Run(cancellationToken, ["chassis", "bootdev", device, .. options.Count == 0 ? Array.Empty<string>() : ["options=" + string.Join(',', options)]]);
        return Task.CompletedTask;
    }

    public Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken)
    {
        // "Boot Device Selector : Force PXE", "Options apply to only next boot", "BIOS EFI boot" (ipmitool's words).
        var output = Run(cancellationToken, "chassis", "bootparam", "get", "5");
        var selector = output.Split('\n').FirstOrDefault(l => l.Contains("Boot Device Selector", StringComparison.Ordinal)) ?? string.Empty;
        var device = selector.Contains("PXE", StringComparison.OrdinalIgnoreCase) ? BootDevice.Pxe
            : selector.Contains("Hard-Drive", StringComparison.OrdinalIgnoreCase) ? BootDevice.Disk
            : selector.Contains("BIOS Setup", StringComparison.OrdinalIgnoreCase) ? BootDevice.BiosSetup
            : BootDevice.None;
        return Task.FromResult(new BootOverride(
            device,
            Uefi: output.Contains("BIOS EFI boot", StringComparison.Ordinal),
            Persistent: output.Contains("all future boots", StringComparison.Ordinal)));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Run(CancellationToken cancellationToken, params string[] command)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string[] args =
        [
            "-I", "lanplus", "-C", "3",
            "-H", Endpoint.Host, "-p", Endpoint.EffectivePort.ToString(CultureInfo.InvariantCulture),
            "-U", _credential.UserName, "-E",
            "-N", "2", "-R", "3",
            .. command,
        ];
        using var process = LabProcess.Start(_ipmitool, args, new Dictionary<string, string> { ["IPMI_PASSWORD"] = _credential.Password });
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill();
            throw new BmcException(Endpoint, BmcFailure.Timeout, $"ipmitool {string.Join(' ', command)} did not finish within {CommandTimeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            var error = process.StandardError.Trim();
            var failure = error.Contains("RAKP", StringComparison.OrdinalIgnoreCase) || error.Contains("password", StringComparison.OrdinalIgnoreCase)
                ? BmcFailure.Authentication
                : BmcFailure.Rejected;
            throw new BmcException(Endpoint, failure, $"ipmitool {string.Join(' ', command)} failed ({process.ExitCode}): {error}");
        }

        return process.StandardOutput;
    }
}
