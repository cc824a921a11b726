using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RAKP Message 4 payload (IPMI v2.0 table 13-14): message tag, status, 2 reserved, console session ID (LE), and the
/// integrity check value HMAC_SIK(Rm | SIDc | GUIDc), truncated per the suite.
/// </summary>
public sealed record Rakp4Message(byte MessageTag, byte Status, uint ConsoleSessionId, byte[] IntegrityCheckValue)
{
    /// <summary>Parses the payload; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Rakp4Message? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (payload.Length < 2)
        {
            error = $"RAKP 4 of {payload.Length} bytes";
            return false;
        }

        if (payload[1] != RakpStatusCode.NoErrors || payload.Length < 8)
        {
            if (payload[1] == RakpStatusCode.NoErrors)
            {
                error = $"a successful RAKP 4 has at least 8 bytes, got {payload.Length}";
                return false;
            }

            message = new Rakp4Message(payload[0], payload[1], 0, []);
            error = null;
            return true;
        }

        message = new Rakp4Message(payload[0], payload[1], BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), payload[8..].ToArray());
        error = null;
        return true;
    }
}
