namespace NodeFoundry.Tftp.Wire;

/// <summary>DATA (RFC 1350 §5): | opcode 3 | block 2 | 0..blksize bytes |. A block shorter than blksize ends the file.</summary>
public sealed record TftpDataPacket(ushort Block, ReadOnlyMemory<byte> Payload) : TftpPacket
{
    public const int HeaderLength = 4;

    public override TftpOpcode Opcode => TftpOpcode.Data;

    public override int EncodedLength => HeaderLength + Payload.Length;

    public override int WriteTo(Span<byte> destination) => Write(destination, Block, Payload.Span);

    /// <summary>Writes a DATA packet without allocating one: the server's hot path.</summary>
    public static int Write(Span<byte> destination, ushort block, ReadOnlySpan<byte> payload)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)TftpOpcode.Data);
        at = TftpStrings.WriteUInt16(destination, at, block);
        TftpStrings.EnsureRoom(destination, at, payload.Length);
        payload.CopyTo(destination[at..]);
        return at + payload.Length;
    }

    /// <summary>Writes only the 4-byte header in front of a payload already in place (a window built in one buffer).</summary>
    public static int WriteHeader(Span<byte> destination, ushort block)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)TftpOpcode.Data);
        return TftpStrings.WriteUInt16(destination, at, block);
    }

    public bool Equals(TftpDataPacket? other) => other is not null && Block == other.Block && Payload.Span.SequenceEqual(other.Payload.Span);

    public override int GetHashCode() => HashCode.Combine(Block, Payload.Length);
}
