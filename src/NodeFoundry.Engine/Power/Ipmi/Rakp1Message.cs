using System.Buffers.Binary;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RAKP Message 1 payload (IPMI v2.0 table 13-11): message tag, 3 reserved, the BMC's session ID (LE), the console
/// random number Rm (16), the requested role (bit 4: name-only lookup; bits 3:0 privilege), 2 reserved, user name
/// length, user name (up to 16 bytes).
/// </summary>
public sealed record Rakp1Message(byte MessageTag, uint BmcSessionId, byte[] ConsoleRandom, byte Role, byte[] UserName)
{
    /// <summary>Role bit 4: look the user up by name only (not name and privilege), as ipmitool does.</summary>
    public const byte NameOnlyLookup = 0x10;

    /// <summary>Longest user name RAKP carries.</summary>
    public const int MaxUserNameLength = 16;

    /// <summary>Encodes the payload.</summary>
    public byte[] Encode()
    {
        if (ConsoleRandom.Length != 16)
        {
            throw new InvalidOperationException("Rm is 16 bytes");
        }

        if (UserName.Length > MaxUserNameLength)
        {
            throw new InvalidOperationException($"an IPMI user name is at most {MaxUserNameLength} bytes");
        }

        var bytes = new byte[28 + UserName.Length];
        bytes[0] = MessageTag;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), BmcSessionId);
        ConsoleRandom.CopyTo(bytes, 8);
        bytes[24] = Role;
        bytes[27] = (byte)UserName.Length;
        UserName.CopyTo(bytes, 28);
        return bytes;
    }
}
