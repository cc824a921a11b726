using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The IPMI v1.5 session wrapper (IPMI v2.0 section 13.6) with authentication type NONE and session 0: the only
/// v1.5 form NodeFoundry sends, for the session-less Get Channel Authentication Capabilities that opens every
/// conversation (a BMC must answer it in v1.5 framing). Layout after the RMCP header: auth type (1), session sequence
/// (4, LE), session ID (4, LE), message length (1), message.
/// </summary>
public static class Ipmi15SessionWrapper
{
    /// <summary>Authentication type NONE: no 16-byte auth code field follows the session ID.</summary>
    public const byte AuthTypeNone = 0x00;

    /// <summary>Wraps an IPMI message into a full datagram (RMCP header included).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> message)
    {
        if (message.Length > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(message), message.Length, "a v1.5 message length is one byte");
        }

        var bytes = new byte[RmcpHeader.Length + 10 + message.Length];
        RmcpHeader.Write(bytes);
        bytes[4] = AuthTypeNone; // bytes 5-12: session sequence 0 and session ID 0 (outside a session)
        bytes[13] = (byte)message.Length;
        message.CopyTo(bytes.AsSpan(14));
        return bytes;
    }

    /// <summary>Unwraps a session-less v1.5 datagram (auth type NONE) into its IPMI message.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out byte[]? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (!RmcpHeader.IsIpmi(datagram, out error))
        {
            return false;
        }

        if (datagram.Length < 14)
        {
            error = $"a v1.5 session header needs 14 bytes, got {datagram.Length}";
            return false;
        }

        if (datagram[4] != AuthTypeNone)
        {
            error = $"v1.5 authentication type {datagram[4]:X2}h (only NONE is expected outside a session)";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(datagram[9..]) != 0)
        {
            error = "a v1.5 answer outside a session carries a session ID";
            return false;
        }

        var length = datagram[13];
        if (datagram.Length < 14 + length)
        {
            error = $"message length {length} exceeds the {datagram.Length - 14} bytes received";
            return false;
        }

        message = datagram.Slice(14, length).ToArray();
        error = null;
        return true;
    }
}
