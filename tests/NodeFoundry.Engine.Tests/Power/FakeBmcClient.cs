using System.Collections.Concurrent;
using NodeFoundry.Power;

namespace NodeFoundry.Tests.Power;

/// <summary>An in-memory BMC for orchestration tests: records every call into a log shared by the whole fleet.</summary>
internal sealed class FakeBmcClient(BmcEndpoint endpoint, ConcurrentQueue<string> log) : IBmcClient
{
    public BmcEndpoint Endpoint { get; } = endpoint;

    public PowerState Power { get; set; } = PowerState.Off;

    public Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken) => Task.FromResult(Power);

    public Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken)
    {
        log.Enqueue($"{Endpoint.Host} {action}");
        Power = action is PowerAction.Off or PowerAction.SoftOff ? PowerState.Off : PowerState.On;
        return Task.CompletedTask;
    }

    public Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken)
    {
        log.Enqueue($"{Endpoint.Host} boot {bootOverride.Device}");
        return Task.CompletedTask;
    }

    public Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken) => Task.FromResult(new BootOverride(BootDevice.None));

    public ValueTask DisposeAsync()
    {
        log.Enqueue($"{Endpoint.Host} closed");
        return ValueTask.CompletedTask;
    }
}
