namespace NodeFoundry.Fleet;

/// <summary>A node's baseboard management controller (fleet file: <c>nodes[].bmc</c>).</summary>
public sealed class BmcSettings
{
    /// <summary>BMC IP address or host name.</summary>
    public required string Address { get; init; }

    /// <summary><c>ipmi</c> (IPMI v2.0 lanplus, the default) or <c>redfish</c>. Always lower case.</summary>
    public string Protocol { get; init; } = "ipmi";

    /// <summary>Port; null means the protocol's default (623 for IPMI, 443 for Redfish).</summary>
    public int? Port { get; init; }

    /// <summary>Name of a stored credential (for example a SecretManagement secret). Never a password.</summary>
    public string? Credential { get; init; }
}
