namespace NodeFoundry.Power.Ipmi;

/// <summary>IPMI privilege levels (IPMI v2.0 section 6.8). Chassis control needs Operator; NodeFoundry asks for Administrator.</summary>
public enum IpmiPrivilegeLevel : byte
{
    /// <summary>Callback.</summary>
    Callback = 1,

    /// <summary>User: read-only commands.</summary>
    User = 2,

    /// <summary>Operator: chassis control and boot options.</summary>
    Operator = 3,

    /// <summary>Administrator.</summary>
    Administrator = 4,
}
