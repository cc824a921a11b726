namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The values a console and a BMC exchange in Open Session and RAKP 1-2, which every RAKP proof and session key is
/// computed over (IPMI v2.0 section 13.31). Naming follows the spec: "m" is the remote console, "c" the managed system.
/// </summary>
/// <param name="ConsoleSessionId">SIDm: the console's session ID, chosen in Open Session Request.</param>
/// <param name="BmcSessionId">SIDc: the BMC's session ID, from Open Session Response.</param>
/// <param name="ConsoleRandom">Rm: 16 random bytes from RAKP 1.</param>
/// <param name="BmcRandom">Rc: 16 random bytes from RAKP 2.</param>
/// <param name="BmcGuid">GUIDc: the BMC's 16-byte GUID from RAKP 2.</param>
/// <param name="Role">ROLEm: the whole requested-privilege byte of RAKP 1, lookup bit included.</param>
/// <param name="UserName">UNAMEm: the user name bytes (0-16).</param>
public sealed record RakpTranscript(uint ConsoleSessionId, uint BmcSessionId, byte[] ConsoleRandom, byte[] BmcRandom, byte[] BmcGuid, byte Role, byte[] UserName);
