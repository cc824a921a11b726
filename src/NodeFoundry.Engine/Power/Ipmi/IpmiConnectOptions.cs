namespace NodeFoundry.Power.Ipmi;

/// <summary>How <see cref="IpmiBmcClient"/> connects: cipher policy, privilege, retries. Defaults suit a LAN BMC.</summary>
public sealed record IpmiConnectOptions
{
    /// <summary>Cipher suites to propose, strongest first. Default 17 (SHA-256) then 3 (SHA-1); both encrypt with AES-CBC-128.</summary>
    public IReadOnlyList<int> CipherSuites { get; init; } = [17, 3];

    /// <summary>
    /// Must be true for suite 0 (no authentication, no integrity, no encryption) to be proposed at all: with it,
    /// anyone on the BMC network can power nodes off. For lab BMCs that offer nothing else.
    /// </summary>
    public bool AllowCipherSuite0 { get; init; }

    /// <summary>Session privilege; chassis control needs Operator. Default Administrator, as ipmitool.</summary>
    public IpmiPrivilegeLevel Privilege { get; init; } = IpmiPrivilegeLevel.Administrator;

    /// <summary>How long to wait for each answer before resending.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Resends after the first attempt (so Retries + 1 attempts per request).</summary>
    public int Retries { get; init; } = 3;

    /// <summary>
    /// A session idle this long is opened again before the next request. BMCs close idle sessions on their own (the
    /// spec suggests about 60 s; ipmi_sim closes sooner) and then silently drop the session's packets; reopening first
    /// keeps a long wait — a node installing between two power commands — from ending in a timeout, and never
    /// resends a power command whose answer was merely lost.
    /// </summary>
    public TimeSpan SessionIdleLimit { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Diagnostics (negotiation, retries, dropped datagrams). Never receives secrets.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Checks the options; messages say what to change.</summary>
    public void Validate()
    {
        if (SessionIdleLimit < TimeSpan.Zero)
        {
            throw new ArgumentException($"IpmiConnectOptions.SessionIdleLimit is {SessionIdleLimit}: use zero or more (default 20 s).", nameof(SessionIdleLimit));
        }

        if (CipherSuites.Count == 0)
        {
            throw new ArgumentException("IpmiConnectOptions.CipherSuites is empty: propose at least one of 17, 3.", nameof(CipherSuites));
        }

        foreach (var id in CipherSuites)
        {
            if (IpmiCipherSuite.FromId(id) is null)
            {
                throw new ArgumentException($"cipher suite {id} is not implemented (supported: 17, 3, and 0 when forced).", nameof(CipherSuites));
            }

            if (id == 0 && !AllowCipherSuite0)
            {
                throw new ArgumentException("cipher suite 0 sends commands without authentication or encryption; set AllowCipherSuite0 to force it.", nameof(CipherSuites));
            }
        }

        if (Retries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(Retries), Retries, "between 0 and 10");
        }

        if (Timeout < TimeSpan.FromMilliseconds(10) || Timeout > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "between 10 ms and 60 s");
        }
    }
}
