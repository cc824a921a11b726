using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// The 4-byte RMCP header (ASF 2.0 / IPMI v2.0 section 13.1.3) in front of every IPMI-over-LAN datagram:
/// version 06h, reserved 00h, sequence FFh (no RMCP ACK wanted; IPMI has its own sequence numbers), class 07h (IPMI).
/// </summary>
public static class RmcpHeader
{
    /// <summary>Header length in bytes.</summary>
    public const int Length = 4;

    /// <summary>RMCP version 1.0 is encoded as 06h.</summary>
    public const byte Version = 0x06;

    /// <summary>Sequence FFh: the receiver must not send an RMCP ACK.</summary>
    public const byte NoAckSequence = 0xFF;

    /// <summary>Message class 07h: the datagram carries IPMI (class bit 7 clear: a normal message, not an ACK).</summary>
    public const byte IpmiClass = 0x07;

    /// <summary>Writes the header into the first 4 bytes of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = 0x00;
        destination[2] = NoAckSequence;
        destination[3] = IpmiClass;
    }

    /// <summary>True when the datagram starts with an RMCP header of class IPMI.</summary>
    public static bool IsIpmi(ReadOnlySpan<byte> datagram, [NotNullWhen(false)] out string? error)
    {
        if (datagram.Length < Length)
        {
            error = $"{datagram.Length} bytes is shorter than an RMCP header";
            return false;
        }

        if (datagram[0] != Version || datagram[3] != IpmiClass)
        {
            error = $"not RMCP/IPMI (version {datagram[0]:X2}h, class {datagram[3]:X2}h)";
            return false;
        }

        error = null;
        return true;
    }
}
