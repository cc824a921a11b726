using System.Buffers.Binary;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RAKP Message 3 payload (IPMI v2.0 table 13-13): message tag, status (00h, or an error code telling the BMC why the
/// console gives up), 2 reserved, the BMC's session ID (LE), and the console's key exchange auth code.
/// </summary>
public sealed record Rakp3Message(byte MessageTag, byte Status, uint BmcSessionId, byte[] AuthCode)
{
    /// <summary>Encodes the payload.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[8 + AuthCode.Length];
        bytes[0] = MessageTag;
        bytes[1] = Status;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), BmcSessionId);
        AuthCode.CopyTo(bytes, 8);
        return bytes;
    }
}
