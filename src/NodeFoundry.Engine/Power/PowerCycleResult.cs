namespace NodeFoundry.Power;

/// <summary>What happened to one node in a fleet power run. Never carries a credential.</summary>
public sealed class PowerCycleResult
{
    /// <summary>The node's name.</summary>
    public required string NodeName { get; init; }

    /// <summary>Its BMC.</summary>
    public required BmcEndpoint Endpoint { get; init; }

    /// <summary>The BMC's address (the endpoint's host), for tables.</summary>
    public string BmcAddress => Endpoint.Host;

    /// <summary>The power action asked for.</summary>
    public required PowerAction Action { get; init; }

    /// <summary>1-based wave the node ran in.</summary>
    public required int Wave { get; init; }

    /// <summary>Power state read before anything was changed; Unknown when it could not be read.</summary>
    public PowerState PowerBefore { get; init; }

    /// <summary>Power state read after the action; Unknown when the run failed before it.</summary>
    public PowerState PowerAfter { get; init; }

    /// <summary>The boot device set for the next boot; null when none was asked for or setting it failed.</summary>
    public BootDevice? BootDeviceSet { get; init; }

    /// <summary>When the node's BMC work began (its session slot was granted).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the node's power command was sent (its turn in the stagger); null when none was sent.</summary>
    public DateTimeOffset? PowerCommandAt { get; init; }

    /// <summary>When the node's BMC work ended.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>FinishedAt − StartedAt.</summary>
    public TimeSpan Duration => FinishedAt - StartedAt;

    /// <summary>True when every step succeeded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Why the node failed, naming the BMC and the step; null on success.</summary>
    public string? Error { get; init; }

    /// <summary>The kind of BMC failure; null on success or for a failure outside the BMC protocol.</summary>
    public BmcFailure? Failure { get; init; }

    /// <inheritdoc />
    public override string ToString() => Succeeded
        ? $"{NodeName}: {Action} ok ({PowerBefore} -> {PowerAfter})"
        : $"{NodeName}: {Action} failed: {Error}";
}
