using System.Buffers.Binary;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RMCP+ Open Session Request payload (IPMI v2.0 table 13-9): message tag, requested maximum privilege (0 = the
/// highest the proposed algorithms allow), 2 reserved, the console's session ID (LE), then three 8-byte proposals —
/// authentication (type 00h), integrity (01h), confidentiality (02h) — each: type, 2 reserved, length 08h, algorithm,
/// 3 reserved.
/// </summary>
public sealed record OpenSessionRequest(byte MessageTag, byte MaximumPrivilege, uint ConsoleSessionId, IpmiCipherSuite Suite)
{
    /// <summary>Payload length.</summary>
    public const int Length = 32;

    /// <summary>Encodes the payload.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[Length];
        bytes[0] = MessageTag;
        bytes[1] = MaximumPrivilege;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ConsoleSessionId);
        WriteProposal(bytes.AsSpan(8), 0x00, (byte)Suite.Authentication);
        WriteProposal(bytes.AsSpan(16), 0x01, (byte)Suite.Integrity);
        WriteProposal(bytes.AsSpan(24), 0x02, (byte)Suite.Confidentiality);
        return bytes;
    }

    private static void WriteProposal(Span<byte> at, byte payloadType, byte algorithm)
    {
        at[0] = payloadType;
        at[3] = 0x08; // payload length: the proposal is 8 bytes
        at[4] = algorithm;
    }
}
