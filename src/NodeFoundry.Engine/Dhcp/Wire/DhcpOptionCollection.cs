using System.Buffers.Binary;
using System.Collections;
using System.Net;
using System.Text;

namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// The options of one DHCP message: one entry per code, in insertion order (the writer emits them
/// in this order, so option 53 set first goes out first, which some PXE ROMs expect).
/// </summary>
/// <remarks>
/// A code that appears several times on the wire is one option whose value is the concatenation of
/// the instances, in options / file / sname order (RFC 3396); the writer splits values longer than
/// 255 bytes back into instances. Values are stored as slices, so a parsed packet keeps one copy of
/// the datagram rather than one array per option. Lookup is a linear scan: a message carries a
/// couple of dozen options at most, and a scan over a small array beats hashing at that size.
/// </remarks>
public sealed class DhcpOptionCollection : IEnumerable<KeyValuePair<DhcpOptionCode, byte[]>>
{
    private Entry[] _entries;
    private int _count;

    public DhcpOptionCollection()
    {
        // Firmware requests carry 8–12 options; 16 avoids a resize on the parse path.
        _entries = new Entry[16];
    }

    /// <summary>Number of distinct option codes present.</summary>
    public int Count => _count;

    /// <summary>The entries in order, for the writer (no copies).</summary>
    internal ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    public bool Contains(DhcpOptionCode code) => IndexOf(code) >= 0;

    /// <summary>The option's value (possibly empty) if present. The memory must not be modified.</summary>
    public bool TryGet(DhcpOptionCode code, out ReadOnlyMemory<byte> value)
    {
        int index = IndexOf(code);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = _entries[index].Value;
        return true;
    }

    /// <summary>The option's value, or null when absent.</summary>
    public ReadOnlyMemory<byte>? Get(DhcpOptionCode code) =>
        // The cast matters: a bare null would convert to an empty ReadOnlyMemory through its implicit
        // conversion from byte[], and "absent" would come back as "present and empty".
        TryGet(code, out var value) ? value : (ReadOnlyMemory<byte>?)null;

    /// <summary>Adds or replaces an option; the bytes are copied. Replacing keeps the original position.</summary>
    /// <exception cref="ArgumentException">For Pad, End and OptionOverload, which are framing the writer owns.</exception>
    public void Set(DhcpOptionCode code, ReadOnlySpan<byte> value)
    {
        ThrowIfFraming(code);
        SetCore(code, value.ToArray());
    }

    public void SetByte(DhcpOptionCode code, byte value)
    {
        ThrowIfFraming(code);
        SetCore(code, new[] { value });
    }

    /// <summary>Big-endian, as every multi-byte DHCP integer.</summary>
    public void SetUInt16(DhcpOptionCode code, ushort value)
    {
        ThrowIfFraming(code);
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        SetCore(code, bytes);
    }

    /// <summary>Big-endian, as every multi-byte DHCP integer (lease times: 0xFFFFFFFF is infinite).</summary>
    public void SetUInt32(DhcpOptionCode code, uint value)
    {
        ThrowIfFraming(code);
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        SetCore(code, bytes);
    }

    /// <exception cref="ArgumentException">When the address is not IPv4.</exception>
    public void SetAddress(DhcpOptionCode code, IPAddress address)
    {
        ThrowIfFraming(code);
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, DhcpLayout.ToUInt32(address, nameof(address)));
        SetCore(code, bytes);
    }

    /// <summary>An address list (routers, DNS servers…): 4 bytes per address, in the given order.</summary>
    /// <exception cref="ArgumentException">When the list is empty (RFC 2132 lists have at least one) or holds a non-IPv4 address.</exception>
    public void SetAddresses(DhcpOptionCode code, IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ThrowIfFraming(code);
        var list = addresses as IReadOnlyList<IPAddress> ?? new List<IPAddress>(addresses);
        if (list.Count == 0)
        {
            throw new ArgumentException($"Option {(byte)code} needs at least one address.", nameof(addresses));
        }

        var bytes = new byte[checked(list.Count * 4)];
        for (int i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), DhcpLayout.ToUInt32(list[i], nameof(addresses)));
        }

        SetCore(code, bytes);
    }

    /// <summary>An ASCII string without terminator (RFC 2132 §2: options are not NUL-terminated).</summary>
    /// <exception cref="ArgumentException">When the string holds a non-ASCII character.</exception>
    public void SetString(DhcpOptionCode code, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfFraming(code);
        if (!Ascii.IsValid(value))
        {
            throw new ArgumentException($"Option {(byte)code} must be ASCII: \"{value}\".", nameof(value));
        }

        SetCore(code, Encoding.ASCII.GetBytes(value));
    }

    public bool Remove(DhcpOptionCode code)
    {
        int index = IndexOf(code);
        if (index < 0)
        {
            return false;
        }

        Array.Copy(_entries, index + 1, _entries, index, _count - index - 1);
        _count--;
        _entries[_count] = default;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
    }

    /// <summary>
    /// Enumerates options in order. Each value is a fresh copy: changing it does not change the
    /// collection (use <see cref="Set"/>), and the shared parse buffer is never exposed for writing.
    /// </summary>
    public IEnumerator<KeyValuePair<DhcpOptionCode, byte[]>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return new KeyValuePair<DhcpOptionCode, byte[]>(_entries[i].Code, _entries[i].Value.ToArray());
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Parser entry: a repeated code is concatenated onto the earlier value (RFC 3396), which is how
    /// a long option split across instances, or across the options/file/sname areas, is rebuilt.
    /// </summary>
    internal void AddParsed(DhcpOptionCode code, ReadOnlyMemory<byte> value)
    {
        int index = IndexOf(code);
        if (index < 0)
        {
            Append(new Entry(code, value));
            return;
        }

        ReadOnlyMemory<byte> existing = _entries[index].Value;
        var joined = new byte[existing.Length + value.Length];
        existing.Span.CopyTo(joined);
        value.Span.CopyTo(joined.AsSpan(existing.Length));
        _entries[index] = new Entry(code, joined);
    }

    private void SetCore(DhcpOptionCode code, byte[] value)
    {
        int index = IndexOf(code);
        if (index >= 0)
        {
            _entries[index] = new Entry(code, value);
        }
        else
        {
            Append(new Entry(code, value));
        }
    }

    private void Append(Entry entry)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[_count++] = entry;
    }

    private int IndexOf(DhcpOptionCode code)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Code == code)
            {
                return i;
            }
        }

        return -1;
    }

    private static void ThrowIfFraming(DhcpOptionCode code)
    {
        if (code is DhcpOptionCode.Pad or DhcpOptionCode.End or DhcpOptionCode.OptionOverload)
        {
            throw new ArgumentException(
                $"Option {(byte)code} ({code}) is framing written by the encoder, not content.", nameof(code));
        }
    }

    /// <summary>One option: its code and its whole (concatenated) value.</summary>
    internal readonly record struct Entry(DhcpOptionCode Code, ReadOnlyMemory<byte> Value);
}
