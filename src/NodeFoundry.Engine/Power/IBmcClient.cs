namespace NodeFoundry.Power;

/// <summary>
/// One BMC, one protocol: the operations fleet power orchestration needs. Implementations: IPMI v2.0 RMCP+ and Redfish.
/// Every failure surfaces as a <see cref="BmcException"/> whose message names the BMC and the cause and never contains
/// the password.
/// </summary>
public interface IBmcClient : IAsyncDisposable
{
    /// <summary>The BMC this client talks to.</summary>
    BmcEndpoint Endpoint { get; }

    /// <summary>Reads the chassis power state.</summary>
    Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken);

    /// <summary>Performs a power action (<see cref="PowerAction.None"/> does nothing).</summary>
    Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken);

    /// <summary>Sets the next boot device.</summary>
    Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken);

    /// <summary>Reads the boot override currently set (device None when there is none).</summary>
    Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken);
}
