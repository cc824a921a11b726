namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// RRQ or WRQ (RFC 1350 §5): | opcode 2 | filename | 0 | mode | 0 | then RFC 2347 options as
/// | name | 0 | value | 0 | pairs.
/// </summary>
public sealed record TftpRequest : TftpPacket
{
    public TftpRequest(bool isWrite, string fileName, TftpTransferMode mode, IReadOnlyList<TftpOption>? options = null)
    {
        IsWrite = isWrite;
        FileName = fileName ?? throw new ArgumentNullException(nameof(fileName));
        Mode = mode;
        Options = options ?? [];
    }

    public bool IsWrite { get; }

    /// <summary>The name exactly as sent (Latin-1 decoded); confinement is the resolver's job, not the wire's.</summary>
    public string FileName { get; }

    public TftpTransferMode Mode { get; }

    /// <summary>Options in the order sent (the OACK answers in the same order).</summary>
    public IReadOnlyList<TftpOption> Options { get; }

    public override TftpOpcode Opcode => IsWrite ? TftpOpcode.WriteRequest : TftpOpcode.ReadRequest;

    /// <summary>The typed view of <see cref="Options"/>.</summary>
    public TftpRequestedOptions Requested => TftpRequestedOptions.From(Options);

    public override int EncodedLength => 2 + TftpStrings.Length(FileName) + TftpStrings.Length(ModeName(Mode)) + TftpStrings.Length(Options);

    public override int WriteTo(Span<byte> destination)
    {
        var at = TftpStrings.WriteUInt16(destination, 0, (ushort)Opcode);
        at = TftpStrings.Write(destination, at, FileName);
        at = TftpStrings.Write(destination, at, ModeName(Mode));
        return TftpStrings.Write(destination, at, Options);
    }

    /// <summary>The mode's wire spelling (lower case, as ROMs send it).</summary>
    public static string ModeName(TftpTransferMode mode) => mode switch
    {
        TftpTransferMode.NetAscii => "netascii",
        TftpTransferMode.Mail => "mail",
        _ => "octet",
    };

    public bool Equals(TftpRequest? other) =>
        other is not null && IsWrite == other.IsWrite && FileName == other.FileName && Mode == other.Mode && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(IsWrite, FileName, Mode, Options.Count);
}
