namespace NodeFoundry.Tftp.Wire;

/// <summary>OACK (RFC 2347): | opcode 6 | name | 0 | value | 0 | …. Lists only the options the server accepted.</summary>
public sealed record TftpOptionAckPacket(IReadOnlyList<TftpOption> Options) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.OptionAcknowledgment;

    public override int EncodedLength => 2 + TftpStrings.Length(Options);

    public override int WriteTo(Span<byte> destination)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)TftpOpcode.OptionAcknowledgment);
        return TftpStrings.Write(destination, at, Options);
    }

    public bool Equals(TftpOptionAckPacket? other) => other is not null && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => Options.Count;
}
