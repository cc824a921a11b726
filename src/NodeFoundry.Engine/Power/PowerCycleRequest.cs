namespace NodeFoundry.Power;

/// <summary>One node of a fleet power run: which BMC, as whom, what to boot next and what to do to its power.</summary>
/// <param name="NodeName">The node's name (fleet file), for results and progress.</param>
/// <param name="Endpoint">Its BMC.</param>
/// <param name="Credential">The BMC login.</param>
/// <param name="Boot">The next-boot override to set before the power action; null leaves the boot device alone.</param>
/// <param name="Action">The power action.</param>
public sealed record PowerCycleRequest(string NodeName, BmcEndpoint Endpoint, BmcCredential Credential, BootOverride? Boot, PowerAction Action);
