using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeFoundry.Tftp.Wire;

public abstract partial record TftpPacket
{
    /// <summary>
    /// Parses one datagram. Never throws: anything malformed comes back as <paramref name="error"/>.
    /// Lenient where real clients are sloppy and strictness buys nothing: trailing NUL padding after the
    /// options, bytes after an ACK's block number, an ERROR message without its final NUL, any case in
    /// the mode and option names.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out TftpPacket? packet, [NotNullWhen(false)] out TftpParseError? error)
    {
        packet = null;
        if (datagram.Length < 2)
        {
            error = new TftpParseError(0, "opcode", $"the datagram has {datagram.Length} bytes, fewer than an opcode");
            return false;
        }

        var opcode = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        switch ((TftpOpcode)opcode)
        {
            case TftpOpcode.ReadRequest:
            case TftpOpcode.WriteRequest:
                return TryParseRequest(datagram, opcode == (ushort)TftpOpcode.WriteRequest, out packet, out error);

            case TftpOpcode.Data:
                if (!HasBlock(datagram, "DATA", out error))
                {
                    return false;
                }

                if (datagram.Length - TftpDataPacket.HeaderLength > TftpOptionNames.MaxBlockSize)
                {
                    error = new TftpParseError(4, "data", $"{datagram.Length - 4} bytes is more than the largest block size ({TftpOptionNames.MaxBlockSize})");
                    return false;
                }

                packet = new TftpDataPacket(Block(datagram), datagram[4..].ToArray());
                return true;

            case TftpOpcode.Acknowledgment:
                if (!HasBlock(datagram, "ACK", out error))
                {
                    return false;
                }

                packet = new TftpAckPacket(Block(datagram));
                return true;

            case TftpOpcode.Error:
                if (!HasBlock(datagram, "ERROR", out error))
                {
                    return false;
                }

                var at = 4;
                var message = TftpStrings.TryRead(datagram, ref at, out var text)
                    ? text
                    : System.Text.Encoding.Latin1.GetString(datagram[4..]);
                packet = new TftpErrorPacket((TftpErrorCode)Block(datagram), message);
                return true;

            case TftpOpcode.OptionAcknowledgment:
                if (!TryParseOptions(datagram, 2, out var options, out error))
                {
                    return false;
                }

                packet = new TftpOptionAckPacket(options);
                return true;

            default:
                error = new TftpParseError(0, "opcode", string.Create(CultureInfo.InvariantCulture, $"{opcode} is not a TFTP opcode (1–6)"));
                return false;
        }
    }

    private static bool TryParseRequest(ReadOnlySpan<byte> datagram, bool isWrite, [NotNullWhen(true)] out TftpPacket? packet, [NotNullWhen(false)] out TftpParseError? error)
    {
        packet = null;
        var at = 2;
        if (!TftpStrings.TryRead(datagram, ref at, out var fileName))
        {
            error = new TftpParseError(2, "filename", "not NUL-terminated");
            return false;
        }

        var modeAt = at;
        if (!TftpStrings.TryRead(datagram, ref at, out var modeName))
        {
            error = new TftpParseError(modeAt, "mode", "missing or not NUL-terminated");
            return false;
        }

        TftpTransferMode mode;
        if (modeName.Equals("octet", StringComparison.OrdinalIgnoreCase))
        {
            mode = TftpTransferMode.Octet;
        }
        else if (modeName.Equals("netascii", StringComparison.OrdinalIgnoreCase))
        {
            mode = TftpTransferMode.NetAscii;
        }
        else if (modeName.Equals("mail", StringComparison.OrdinalIgnoreCase))
        {
            mode = TftpTransferMode.Mail;
        }
        else
        {
            error = new TftpParseError(modeAt, "mode", $"'{modeName}' is not octet, netascii or mail");
            return false;
        }

        if (!TryParseOptions(datagram, at, out var options, out error))
        {
            return false;
        }

        packet = new TftpRequest(isWrite, fileName, mode, options);
        return true;
    }

    private static bool TryParseOptions(ReadOnlySpan<byte> datagram, int at, out IReadOnlyList<TftpOption> options, [NotNullWhen(false)] out TftpParseError? error)
    {
        var list = new List<TftpOption>();
        options = list;
        error = null;
        while (at < datagram.Length)
        {
            // Some clients pad the request with NULs; nothing but zeros left means no more options.
            if (!datagram[at..].ContainsAnyExcept((byte)0))
            {
                break;
            }

            var nameAt = at;
            if (!TftpStrings.TryRead(datagram, ref at, out var name))
            {
                error = new TftpParseError(nameAt, "option", "option name not NUL-terminated");
                return false;
            }

            if (name.Length == 0)
            {
                error = new TftpParseError(nameAt, "option", "empty option name");
                return false;
            }

            var valueAt = at;
            if (at >= datagram.Length || !TftpStrings.TryRead(datagram, ref at, out var value))
            {
                error = new TftpParseError(valueAt, "option", $"option '{name}' has no NUL-terminated value");
                return false;
            }

            list.Add(new TftpOption(name, value));
        }

        return true;
    }

    private static bool HasBlock(ReadOnlySpan<byte> datagram, string packet, [NotNullWhen(false)] out TftpParseError? error)
    {
        if (datagram.Length < 4)
        {
            error = new TftpParseError(2, "block", $"{packet} needs 4 bytes, got {datagram.Length}");
            return false;
        }

        error = null;
        return true;
    }

    private static ushort Block(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
}
