namespace NodeFoundry.Power.Redfish;

/// <summary>Tuning for <see cref="RedfishBmcClient.ConnectAsync"/>; every default suits a real BMC.</summary>
public sealed record RedfishConnectOptions
{
    /// <summary>Session (default, with Basic fallback), session only, or Basic.</summary>
    public RedfishAuthentication Authentication { get; init; } = RedfishAuthentication.SessionWithBasicFallback;

    /// <summary>
    /// The ComputerSystem to control, by its <c>Id</c> (or the last segment of its URI); null when the BMC
    /// manages exactly one system (the usual case: one BMC per server).
    /// </summary>
    public string? SystemId { get; init; }

    /// <summary>Longest wait for one HTTP exchange (BMCs are slow; some take 10 s to create a session).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between polls of a task monitor when the BMC sends no Retry-After.</summary>
    public TimeSpan TaskPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most polls of one task monitor before the action counts as timed out.</summary>
    public int MaxTaskPolls { get; init; } = 120;

    /// <summary>Most reads of PowerState while waiting for a ForceOff to take effect (Cycle on a BMC without PowerCycle).</summary>
    public int MaxPowerStatePolls { get; init; } = 30;

    /// <summary>The clock for the pauses above (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Receives one line per HTTP exchange (method, path, status) for diagnostics. Never headers or bodies, so a
    /// token or password cannot reach it.
    /// </summary>
    public Action<string>? Trace { get; init; }
}
