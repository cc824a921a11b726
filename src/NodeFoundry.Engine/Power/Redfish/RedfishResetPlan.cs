namespace NodeFoundry.Power.Redfish;

/// <summary>
/// Which <c>ResetType</c> values carry out a <see cref="PowerAction"/> on a BMC, given what its
/// <c>ComputerSystem.Reset</c> action advertises in <c>ResetType@Redfish.AllowableValues</c>. Pure.
/// </summary>
public static class RedfishResetPlan
{
    /// <summary>
    /// The reset types to send, in order (two for a Cycle on a BMC without <c>PowerCycle</c>: <c>ForceOff</c>, then
    /// <c>On</c>); empty for <see cref="PowerAction.None"/>. <paramref name="allowed"/> null means the BMC did not
    /// say, and the preferred type is tried. When the BMC allows none of the candidates, the error names what it does allow.
    /// </summary>
    public static bool TryPlan(PowerAction action, IReadOnlyCollection<string>? allowed, out IReadOnlyList<string> resetTypes, out string? error)
    {
        error = null;
        resetTypes = [];
        if (action == PowerAction.None)
        {
            return true;
        }

        // Candidates by preference; the first allowed wins. Hard variants first: a re-image must not wait for an OS.
        string[][] candidates = action switch
        {
            PowerAction.On => [["On"], ["ForceOn"]],
            PowerAction.Off => [["ForceOff"]],
            PowerAction.Reset => [["ForceRestart"]],
            PowerAction.SoftOff => [["GracefulShutdown"]],
            PowerAction.Cycle => [["PowerCycle"], ["ForceOff", "On"], ["ForceOff", "ForceOn"]],
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown power action"),
        };

        if (allowed is null)
        {
            resetTypes = candidates[0];
            return true;
        }

        foreach (string[] plan in candidates)
        {
            if (plan.All(t => allowed.Contains(t, StringComparer.Ordinal)))
            {
                resetTypes = plan;
                return true;
            }
        }

        string wanted = string.Join(" or ", candidates.Select(p => string.Join("+", p)));
        string offered = allowed.Count == 0 ? "none" : string.Join(", ", allowed);
        error = $"power action {action} needs ResetType {wanted}, but the BMC allows only: {offered}";
        return false;
    }
}
