namespace NodeFoundry.Tftp.Wire;

/// <summary>ACK (RFC 1350 §5): | opcode 4 | block 2 |. ACK 0 answers an OACK (RFC 2347).</summary>
public sealed record TftpAckPacket(ushort Block) : TftpPacket
{
    public const int Length = 4;

    public override TftpOpcode Opcode => TftpOpcode.Acknowledgment;

    public override int EncodedLength => Length;

    public override int WriteTo(Span<byte> destination)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)TftpOpcode.Acknowledgment);
        return TftpStrings.WriteUInt16(destination, at, Block);
    }
}
