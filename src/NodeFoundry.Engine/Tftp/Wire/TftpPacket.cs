namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// One TFTP packet (RFC 1350 §5, RFC 2347). Subclasses are the five RFC 1350 packets plus OACK.
/// <see cref="TryParse"/> turns bytes into a packet or a <see cref="TftpParseError"/>; <see cref="WriteTo"/>
/// turns a packet back into bytes. Strings are decoded byte for byte (Latin-1), so a name with odd bytes
/// reaches the path checks exactly as sent instead of being "repaired" by a decoder.
/// </summary>
public abstract partial record TftpPacket
{
    /// <summary>Largest packet we ever need: a 65464-byte DATA block plus its 4-byte header (RFC 2348).</summary>
    public const int MaxLength = 4 + TftpOptionNames.MaxBlockSize;

    public abstract TftpOpcode Opcode { get; }

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the packet; returns its length. Throws <see cref="ArgumentException"/> when it does not fit or a string cannot be encoded (a bug in the caller, not bad input from the network).</summary>
    public abstract int WriteTo(Span<byte> destination);

    /// <summary>The packet as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }
}
