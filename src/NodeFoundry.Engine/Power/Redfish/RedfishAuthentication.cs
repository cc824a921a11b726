namespace NodeFoundry.Power.Redfish;

/// <summary>How <see cref="RedfishBmcClient"/> authenticates to the BMC.</summary>
public enum RedfishAuthentication
{
    /// <summary>
    /// A Redfish session (POST to the SessionService's Sessions, then the <c>X-Auth-Token</c> on every request);
    /// HTTP Basic only when the BMC has no session service (404/405 on the login). The default.
    /// </summary>
    SessionWithBasicFallback,

    /// <summary>A Redfish session only; a BMC without a session service is a failure.</summary>
    Session,

    /// <summary>HTTP Basic on every request, no session (some lab BMCs and emulators).</summary>
    Basic,
}
