namespace NodeFoundry.Power.Ipmi;

/// <summary>The IPMI command codes NodeFoundry sends (IPMI v2.0 appendix G), with their netFn.</summary>
public static class IpmiCommands
{
    /// <summary>App 38h: Get Channel Authentication Capabilities (session-less, v1.5 framing).</summary>
    public const byte GetChannelAuthenticationCapabilities = 0x38;

    /// <summary>App 3Bh: Set Session Privilege Level (a v2.0 session starts at User until raised).</summary>
    public const byte SetSessionPrivilegeLevel = 0x3B;

    /// <summary>App 3Ch: Close Session.</summary>
    public const byte CloseSession = 0x3C;

    /// <summary>Chassis 01h: Get Chassis Status.</summary>
    public const byte GetChassisStatus = 0x01;

    /// <summary>Chassis 02h: Chassis Control.</summary>
    public const byte ChassisControl = 0x02;

    /// <summary>Chassis 08h: Set System Boot Options.</summary>
    public const byte SetSystemBootOptions = 0x08;

    /// <summary>Chassis 09h: Get System Boot Options.</summary>
    public const byte GetSystemBootOptions = 0x09;
}
