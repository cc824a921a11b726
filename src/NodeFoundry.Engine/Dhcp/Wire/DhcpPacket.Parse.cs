using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace NodeFoundry.Dhcp.Wire;

public sealed partial class DhcpPacket
{
    private const string OptionsField = "options";
    private const string FileField = "file";
    private const string ServerNameField = "sname";

    /// <summary>
    /// Parses one UDP payload. Never throws, whatever the bytes: a malformed datagram yields a
    /// <see cref="DhcpParseError"/> saying where and why, for the server to log and drop.
    /// </summary>
    /// <remarks>
    /// Rules: at least 240 bytes (236-byte header + magic cookie); op 1 or 2; hlen at most 16; the
    /// magic cookie 99.130.83.99 (plain BOOTP is refused); options run until End or the end of the
    /// area (a missing End is tolerated, as ISC and Kea do, because some firmware omits it); a
    /// truncated option is an error. With option 52 the file and then the sname field are parsed
    /// as further option areas, in that order (RFC 2131 §4.1), and repeated codes are concatenated
    /// (RFC 3396). The datagram is copied once; option values are slices of that copy.
    /// </remarks>
    public static bool TryParse(
        ReadOnlySpan<byte> datagram,
        [NotNullWhen(true)] out DhcpPacket? packet,
        [NotNullWhen(false)] out DhcpParseError? error)
    {
        packet = null;
        if (datagram.Length < DhcpLayout.Options)
        {
            error = new DhcpParseError(
                datagram.Length,
                "header",
                $"datagram is {datagram.Length} bytes; a DHCP message needs at least {DhcpLayout.Options} (236-byte header and 4-byte magic cookie)");
            return false;
        }

        byte op = datagram[DhcpLayout.Op];
        if (op is not ((byte)DhcpOpCode.BootRequest or (byte)DhcpOpCode.BootReply))
        {
            error = new DhcpParseError(DhcpLayout.Op, "op", $"op {op} is neither 1 (BOOTREQUEST) nor 2 (BOOTREPLY)");
            return false;
        }

        byte hlen = datagram[DhcpLayout.HardwareAddressLength];
        if (hlen > DhcpLayout.ClientHardwareAddressLength)
        {
            error = new DhcpParseError(DhcpLayout.HardwareAddressLength, "hlen", $"hlen {hlen} exceeds the 16-byte chaddr field");
            return false;
        }

        uint cookie = BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(DhcpLayout.MagicCookie));
        if (cookie != DhcpLayout.MagicCookieValue)
        {
            error = new DhcpParseError(
                DhcpLayout.MagicCookie,
                "magic cookie",
                $"expected 99.130.83.99, found {datagram[236]}.{datagram[237]}.{datagram[238]}.{datagram[239]} (plain BOOTP is not served)");
            return false;
        }

        byte[] buffer = datagram.ToArray();
        var result = new DhcpPacket
        {
            Op = (DhcpOpCode)op,
            HardwareType = buffer[DhcpLayout.HardwareType],
            HardwareAddressLength = hlen,
            Hops = buffer[DhcpLayout.Hops],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(DhcpLayout.TransactionId)),
            Seconds = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(DhcpLayout.Seconds)),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(DhcpLayout.Flags)),
            _clientAddress = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(DhcpLayout.ClientAddress)),
            _yourAddress = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(DhcpLayout.YourAddress)),
            _serverAddress = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(DhcpLayout.ServerAddress)),
            _gatewayAddress = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(DhcpLayout.GatewayAddress)),
            _clientHardwareAddress = buffer.AsSpan(DhcpLayout.ClientHardwareAddress, DhcpLayout.ClientHardwareAddressLength).ToArray(),
        };

        int overload = 0;
        error = ParseOptionArea(buffer, DhcpLayout.Options, buffer.Length, OptionsField, "packet", result.Options, ref overload);
        if (error is not null)
        {
            return false;
        }

        if ((overload & DhcpLayout.OverloadFile) != 0)
        {
            error = ParseOptionArea(buffer, DhcpLayout.File, DhcpLayout.File + DhcpLayout.FileLength, FileField, "file field", result.Options, ref overload);
            if (error is not null)
            {
                return false;
            }
        }
        else
        {
            result._bootFileName = ReadNulTerminated(buffer.AsSpan(DhcpLayout.File, DhcpLayout.FileLength));
        }

        if ((overload & DhcpLayout.OverloadServerName) != 0)
        {
            error = ParseOptionArea(buffer, DhcpLayout.ServerName, DhcpLayout.ServerName + DhcpLayout.ServerNameLength, ServerNameField, "sname field", result.Options, ref overload);
            if (error is not null)
            {
                return false;
            }
        }
        else
        {
            result._serverName = ReadNulTerminated(buffer.AsSpan(DhcpLayout.ServerName, DhcpLayout.ServerNameLength));
        }

        packet = result;
        return true;
    }

    /// <summary>
    /// Reads code/length/value triples from one area. Option 52 is honoured only in the options
    /// field (RFC 2132 §9.3) and is not stored: the writer recomputes it. Returns the first error.
    /// </summary>
    private static DhcpParseError? ParseOptionArea(
        byte[] buffer, int start, int end, string field, string areaName, DhcpOptionCollection options, ref int overload)
    {
        bool isOptionsField = ReferenceEquals(field, OptionsField);
        bool seenOverload = false;
        int i = start;
        while (i < end)
        {
            byte code = buffer[i];
            if (code == (byte)DhcpOptionCode.Pad)
            {
                i++;
                continue;
            }

            if (code == (byte)DhcpOptionCode.End)
            {
                return null;
            }

            if (i + 1 >= end)
            {
                return new DhcpParseError(i, field, $"option {code} has no length byte before the end of the {areaName}");
            }

            int length = buffer[i + 1];
            if (i + 2 + length > end)
            {
                return new DhcpParseError(i, field, $"option {code} length {length} runs past the end of the {areaName}");
            }

            if (code == (byte)DhcpOptionCode.OptionOverload)
            {
                if (isOptionsField)
                {
                    if (seenOverload)
                    {
                        return new DhcpParseError(i, field, "option 52 (overload) appears twice");
                    }

                    if (length != 1 || buffer[i + 2] is < 1 or > 3)
                    {
                        return new DhcpParseError(
                            i, field, $"option 52 (overload) must be one byte of 1, 2 or 3 (length {length})");
                    }

                    seenOverload = true;
                    overload = buffer[i + 2];
                }
            }
            else
            {
                options.AddParsed((DhcpOptionCode)code, new ReadOnlyMemory<byte>(buffer, i + 2, length));
            }

            i += 2 + length;
        }

        return null;
    }

    /// <summary>sname/file: ASCII up to the first NUL (or the whole field); non-ASCII bytes become '?'.</summary>
    private static string ReadNulTerminated(ReadOnlySpan<byte> field)
    {
        int length = field.IndexOf((byte)0);
        if (length < 0)
        {
            length = field.Length;
        }

        return length == 0 ? string.Empty : Encoding.ASCII.GetString(field.Slice(0, length));
    }
}
