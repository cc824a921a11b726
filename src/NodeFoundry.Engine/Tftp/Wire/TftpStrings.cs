using System.Buffers.Binary;
using System.Text;

namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// The field codecs every packet shares: big-endian 16-bit numbers and NUL-terminated strings. Strings
/// go through Latin-1, one byte per char both ways, so decoding never fails and never changes a byte.
/// </summary>
internal static class TftpStrings
{
    public static int Length(string text) => text.Length + 1;

    public static int Length(IReadOnlyList<TftpOption> options)
    {
        var length = 0;
        foreach (var option in options)
        {
            length += Length(option.Name) + Length(option.Value);
        }

        return length;
    }

    public static int WriteUInt16(Span<byte> destination, int at, ushort value)
    {
        EnsureRoom(destination, at, 2);
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], value);
        return at + 2;
    }

    public static int Write(Span<byte> destination, int at, string text)
    {
        EnsureRoom(destination, at, text.Length + 1);
        foreach (var c in text)
        {
            if (c is '\0' or > '\u00ff')
            {
                throw new ArgumentException($"'{text}' cannot be sent in a TFTP string (NUL or a character above U+00FF).", nameof(text));
            }

            destination[at++] = (byte)c;
        }

        destination[at++] = 0;
        return at;
    }

    public static int Write(Span<byte> destination, int at, IReadOnlyList<TftpOption> options)
    {
        foreach (var option in options)
        {
            at = Write(destination, at, option.Name);
            at = Write(destination, at, option.Value);
        }

        return at;
    }

    public static void EnsureRoom(Span<byte> destination, int at, int count)
    {
        if (destination.Length - at < count)
        {
            throw new ArgumentException($"The buffer holds {destination.Length} bytes; the packet needs more.", nameof(destination));
        }
    }

    /// <summary>Reads one NUL-terminated string starting at <paramref name="at"/>; false when no NUL follows.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, ref int at, out string text)
    {
        var end = datagram[at..].IndexOf((byte)0);
        if (end < 0)
        {
            text = string.Empty;
            return false;
        }

        text = Encoding.Latin1.GetString(datagram.Slice(at, end));
        at += end + 1;
        return true;
    }
}
