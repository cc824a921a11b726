using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RAKP Message 2 payload (IPMI v2.0 table 13-12): message tag, status, 2 reserved, console session ID (LE), the BMC
/// random number Rc (16), the BMC GUID (16), and the key exchange auth code (the whole HMAC: 20 bytes SHA1, 32
/// SHA256, none for RAKP-none). On a non-zero status the BMC may stop after the console session ID.
/// </summary>
public sealed record Rakp2Message(byte MessageTag, byte Status, uint ConsoleSessionId, byte[] BmcRandom, byte[] BmcGuid, byte[] AuthCode)
{
    /// <summary>Parses the payload; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Rakp2Message? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (payload.Length < 2)
        {
            error = $"RAKP 2 of {payload.Length} bytes";
            return false;
        }

        if (payload[1] != RakpStatusCode.NoErrors)
        {
            message = new Rakp2Message(payload[0], payload[1], payload.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]) : 0, [], [], []);
            error = null;
            return true;
        }

        if (payload.Length < 40)
        {
            error = $"a successful RAKP 2 has at least 40 bytes, got {payload.Length}";
            return false;
        }

        message = new Rakp2Message(payload[0], payload[1], BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), payload.Slice(8, 16).ToArray(), payload.Slice(24, 16).ToArray(), payload[40..].ToArray());
        error = null;
        return true;
    }
}
