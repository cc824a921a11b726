namespace NodeFoundry.Fleet;

/// <summary>How the DHCP server takes part on the boot network (fleet file: <c>dhcp.mode</c>).</summary>
public enum DhcpMode
{
    /// <summary><c>authoritative</c>: we own the scopes' addresses and hand out leases.</summary>
    Authoritative = 0,

    /// <summary><c>proxy</c>: another DHCP server owns the addresses; we answer boot information only (ports 67 and 4011).</summary>
    Proxy,
}
