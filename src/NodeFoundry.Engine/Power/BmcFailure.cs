namespace NodeFoundry.Power;

/// <summary>Why a BMC operation failed, for results and tests (the message carries the detail).</summary>
public enum BmcFailure
{
    /// <summary>No answer in time, after retries.</summary>
    Timeout,

    /// <summary>Wrong user name or password, or the user lacks the privilege.</summary>
    Authentication,

    /// <summary>The BMC offers no cipher suite or auth method NodeFoundry accepts.</summary>
    Negotiation,

    /// <summary>The BMC refused the command or the reset type (IPMI completion code, Redfish 4xx/5xx).</summary>
    Rejected,

    /// <summary>The BMC does not support the operation (for example UEFI HTTP boot over IPMI).</summary>
    Unsupported,

    /// <summary>A malformed or unexpected answer.</summary>
    Protocol,

    /// <summary>Network-level failure (connection refused, unreachable, TLS).</summary>
    Transport,
}
