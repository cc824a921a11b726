namespace NodeFoundry.Tftp.Wire;

/// <summary>ERROR (RFC 1350 §5): | opcode 5 | code 2 | message | 0 |. Ends the transfer; never acknowledged.</summary>
public sealed record TftpErrorPacket(TftpErrorCode Code, string Message) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.Error;

    public override int EncodedLength => 4 + TftpStrings.Length(Message);

    public override int WriteTo(Span<byte> destination)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)TftpOpcode.Error);
        at = TftpStrings.WriteUInt16(destination, at, (ushort)Code);
        return TftpStrings.Write(destination, at, Message);
    }
}
