using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// RMCP+ Open Session Response payload (IPMI v2.0 table 13-10): message tag, status code, maximum privilege,
/// reserved, console session ID (LE), BMC session ID (LE), then the three accepted algorithm payloads. On a non-zero
/// status the BMC may stop after the console session ID.
/// </summary>
public sealed record OpenSessionResponse(byte MessageTag, byte Status, byte MaximumPrivilege, uint ConsoleSessionId, uint BmcSessionId, byte Authentication, byte Integrity, byte Confidentiality)
{
    /// <summary>Parses the payload; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out OpenSessionResponse? response, [NotNullWhen(false)] out string? error)
    {
        response = null;
        if (payload.Length < 2)
        {
            error = $"Open Session Response of {payload.Length} bytes";
            return false;
        }

        if (payload[1] != RakpStatusCode.NoErrors)
        {
            var console = payload.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]) : 0;
            response = new OpenSessionResponse(payload[0], payload[1], payload.Length > 2 ? payload[2] : (byte)0, console, 0, 0, 0, 0);
            error = null;
            return true;
        }

        if (payload.Length < 36)
        {
            error = $"a successful Open Session Response has 36 bytes, got {payload.Length}";
            return false;
        }

        response = new OpenSessionResponse(
            payload[0],
            payload[1],
            payload[2],
            BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]),
            payload[16],
            payload[24],
            payload[32]);
        error = null;
        return true;
    }
}
