namespace NodeFoundry.Power.Ipmi;

/// <summary>IPMI network function codes for requests (IPMI v2.0 table 5-1). A response's netFn is the request's plus one.</summary>
public enum IpmiNetFn : byte
{
    /// <summary>Chassis device requests (power, boot options).</summary>
    Chassis = 0x00,

    /// <summary>Application requests (sessions, channel capabilities).</summary>
    Application = 0x06,
}
