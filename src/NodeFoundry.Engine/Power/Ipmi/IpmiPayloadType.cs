namespace NodeFoundry.Power.Ipmi;

/// <summary>RMCP+ payload types (IPMI v2.0 table 13-16): the low 6 bits of the session header's payload type byte.</summary>
public enum IpmiPayloadType : byte
{
    /// <summary>An IPMI request or response message.</summary>
    IpmiMessage = 0x00,

    /// <summary>RMCP+ Open Session Request (console to BMC).</summary>
    OpenSessionRequest = 0x10,

    /// <summary>RMCP+ Open Session Response.</summary>
    OpenSessionResponse = 0x11,

    /// <summary>RAKP Message 1 (console to BMC: console random, user name, role).</summary>
    Rakp1 = 0x12,

    /// <summary>RAKP Message 2 (BMC random, GUID, proof that the BMC knows the password).</summary>
    Rakp2 = 0x13,

    /// <summary>RAKP Message 3 (proof that the console knows the password).</summary>
    Rakp3 = 0x14,

    /// <summary>RAKP Message 4 (integrity check value proving both derived the same session key).</summary>
    Rakp4 = 0x15,
}
