namespace NodeFoundry.Fleet;

/// <summary>What the DHCP server does with clients that are not network-booting (fleet file: <c>dhcp.nonPxeClients</c>).</summary>
public enum NonPxeClientPolicy
{
    /// <summary><c>ignore</c>: stay silent; another DHCP server serves them.</summary>
    Ignore = 0,

    /// <summary><c>normal-range</c>: lease them an address from the scope's normal <c>range</c>.</summary>
    NormalRange,
}
