using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// On-disk format of the lease journal.
/// <code>
/// file   := header record*
/// header := "NFLJ" u8 format(=1) u8[3] zero                                   (8 bytes)
/// record := u8[2] marker(D1 7E) u16le bodyLength body u32le crc32c           (crc over marker..body)
/// body   := u8 version(=1) u8 kind u8 macLength mac u8 addressLength address
///           i64le grantedUtcTicks i64le expiresUtcTicks u8 poolLength pool(utf8)
///           u16le hostLength(FFFF = null) host(utf8)
/// </code>
/// The marker lets replay find the next record after a damaged one; the CRC decides what is a record.
/// </summary>
internal static class LeaseJournalFormat
{
    public const int HeaderSize = 8;
    public const byte FormatVersion = 1;
    public const byte RecordVersion = 1;
    public const int MaxHostNameBytes = 1024;
    public const int MaxRecordSize = 4 + MinBodySize + 255 + 16 + LeasePool.MaxNameBytes + MaxHostNameBytes + 4;

    private const byte Marker0 = 0xD1;
    private const byte Marker1 = 0x7E;
    private const int FrameOverhead = 8; // marker + length + crc
    private const int MinBodySize = 1 + 1 + 1 + 1 + 4 + 8 + 8 + 1 + 2; // IPv4 address, empty MAC, pool and host
    private const ushort NoHostName = 0xFFFF;

    private static ReadOnlySpan<byte> Magic => "NFLJ"u8;

    public static void WriteHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        destination[4] = FormatVersion;
        destination[5] = 0;
        destination[6] = 0;
        destination[7] = 0;
    }

    public static HeaderStatus CheckHeader(ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderSize)
        {
            // An empty file, or a header torn while the file was being created.
            return Magic[..Math.Min(file.Length, 4)].SequenceEqual(file[..Math.Min(file.Length, 4)])
                ? HeaderStatus.Missing
                : HeaderStatus.Foreign;
        }

        if (!file[..4].SequenceEqual(Magic))
        {
            return HeaderStatus.Foreign;
        }

        return file[4] == FormatVersion ? HeaderStatus.Valid : HeaderStatus.UnsupportedVersion;
    }

    /// <summary>Encodes one record into <paramref name="destination"/> (at least <see cref="MaxRecordSize"/> bytes); returns its length.</summary>
    public static int Encode(in LeaseRecord record, Span<byte> destination)
    {
        if (record.MacAddress is null || record.Address is null || record.Pool is null)
        {
            throw new ArgumentException("A lease record needs a MAC address, an address and a pool name.", nameof(record));
        }

        if (record.Kind is not (LeaseRecordKind.Bound or LeaseRecordKind.Released or LeaseRecordKind.Declined))
        {
            throw new ArgumentException($"Unknown lease record kind {(byte)record.Kind}.", nameof(record));
        }

        byte[] mac = record.MacAddress.GetAddressBytes();
        if (mac.Length > 255)
        {
            throw new ArgumentException("MAC address longer than 255 bytes.", nameof(record));
        }

        Span<byte> body = destination[4..];
        int p = 0;
        body[p++] = RecordVersion;
        body[p++] = (byte)record.Kind;
        body[p++] = (byte)mac.Length;
        mac.CopyTo(body[p..]);
        p += mac.Length;
        if (!record.Address.TryWriteBytes(body[(p + 1)..], out int addressLength))
        {
            throw new ArgumentException("Address cannot be encoded.", nameof(record));
        }

        body[p] = (byte)addressLength;
        p += 1 + addressLength;
        BinaryPrimitives.WriteInt64LittleEndian(body[p..], record.GrantedAt.UtcTicks);
        p += 8;
        BinaryPrimitives.WriteInt64LittleEndian(body[p..], record.ExpiresAt.UtcTicks);
        p += 8;

        int poolBytes = Encoding.UTF8.GetByteCount(record.Pool);
        if (poolBytes > LeasePool.MaxNameBytes)
        {
            throw new ArgumentException($"Pool name longer than {LeasePool.MaxNameBytes} UTF-8 bytes.", nameof(record));
        }

        body[p++] = (byte)poolBytes;
        p += Encoding.UTF8.GetBytes(record.Pool, body[p..]);

        if (record.HostName is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(body[p..], NoHostName);
            p += 2;
        }
        else
        {
            int hostBytes = Encoding.UTF8.GetByteCount(record.HostName);
            if (hostBytes > MaxHostNameBytes)
            {
                throw new ArgumentException($"Host name longer than {MaxHostNameBytes} UTF-8 bytes.", nameof(record));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(body[p..], (ushort)hostBytes);
            p += 2;
            p += Encoding.UTF8.GetBytes(record.HostName, body[(p)..]);
        }

        destination[0] = Marker0;
        destination[1] = Marker1;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)p);
        int crcOffset = 4 + p;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[crcOffset..], Crc32C.Compute(destination[..crcOffset]));
        return crcOffset + 4;
    }

    /// <summary>
    /// Reads every record after the header. A record that fails its checksum is skipped when a valid record
    /// follows it (counted in <see cref="ScanResult.CorruptRecords"/>); damage with no valid record after it is a
    /// torn tail and ends the scan at <see cref="ScanResult.ValidLength"/>.
    /// </summary>
    public static ScanResult Scan(ReadOnlySpan<byte> file)
    {
        var records = new List<LeaseRecord>();
        var names = new StringCache();
        int corrupt = 0;
        int position = HeaderSize;
        while (position < file.Length)
        {
            ParseStatus status = TryParse(file, position, names, out LeaseRecord record, out int length);
            if (status == ParseStatus.Ok)
            {
                records.Add(record);
                position += length;
                continue;
            }

            if (status == ParseStatus.Undecodable)
            {
                // Framing and checksum are sound but the content is not: skip exactly this record.
                corrupt++;
                position += length;
                continue;
            }

            int next = FindNextRecord(file, position + 1, names);
            if (next < 0)
            {
                break; // torn tail
            }

            corrupt++;
            position = next;
        }

        return new ScanResult(records, corrupt, Math.Min(position, file.Length));
    }

    private static int FindNextRecord(ReadOnlySpan<byte> file, int from, StringCache names)
    {
        for (int i = from; i + FrameOverhead <= file.Length; i++)
        {
            int found = file[i..].IndexOf(Marker0);
            if (found < 0)
            {
                return -1;
            }

            i += found;
            if (TryParse(file, i, names, out _, out _) is ParseStatus.Ok or ParseStatus.Undecodable)
            {
                return i;
            }
        }

        return -1;
    }

    private static ParseStatus TryParse(ReadOnlySpan<byte> file, int position, StringCache names, out LeaseRecord record, out int length)
    {
        record = default;
        length = 0;
        ReadOnlySpan<byte> rest = file[position..];
        if (rest.Length < FrameOverhead || rest[0] != Marker0 || rest[1] != Marker1)
        {
            return ParseStatus.Damaged;
        }

        int bodyLength = BinaryPrimitives.ReadUInt16LittleEndian(rest[2..]);
        int total = bodyLength + FrameOverhead;
        if (bodyLength < MinBodySize || total > rest.Length)
        {
            return ParseStatus.Damaged;
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(rest[(4 + bodyLength)..]);
        if (Crc32C.Compute(rest[..(4 + bodyLength)]) != stored)
        {
            return ParseStatus.Damaged;
        }

        length = total;
        ReadOnlySpan<byte> body = rest.Slice(4, bodyLength);
        if (body[0] != RecordVersion)
        {
            throw new NotSupportedException(
                $"Lease journal record version {body[0]} at offset {position} is newer than this NodeFoundry understands (version {RecordVersion}); refusing to drop leases.");
        }

        return TryDecodeBody(body, names, out record) ? ParseStatus.Ok : ParseStatus.Undecodable;
    }

    private static bool TryDecodeBody(ReadOnlySpan<byte> body, StringCache names, out LeaseRecord record)
    {
        record = default;
        int p = 1;
        var kind = (LeaseRecordKind)body[p++];
        if (kind is not (LeaseRecordKind.Bound or LeaseRecordKind.Released or LeaseRecordKind.Declined))
        {
            return false;
        }

        int macLength = body[p++];
        if (p + macLength + 1 > body.Length)
        {
            return false;
        }

        var mac = new PhysicalAddress(body.Slice(p, macLength).ToArray());
        p += macLength;
        int addressLength = body[p++];
        if (addressLength is not (4 or 16) || p + addressLength + 16 + 1 > body.Length)
        {
            return false;
        }

        var address = new IPAddress(body.Slice(p, addressLength));
        p += addressLength;
        long granted = BinaryPrimitives.ReadInt64LittleEndian(body[p..]);
        long expires = BinaryPrimitives.ReadInt64LittleEndian(body[(p + 8)..]);
        p += 16;
        if (!ValidTicks(granted) || !ValidTicks(expires))
        {
            return false;
        }

        int poolLength = body[p++];
        if (p + poolLength + 2 > body.Length)
        {
            return false;
        }

        string pool = names.Get(body.Slice(p, poolLength));
        p += poolLength;
        ushort hostLength = BinaryPrimitives.ReadUInt16LittleEndian(body[p..]);
        p += 2;
        string? host = null;
        if (hostLength != NoHostName)
        {
            if (p + hostLength != body.Length)
            {
                return false;
            }

            host = Encoding.UTF8.GetString(body.Slice(p, hostLength));
            p += hostLength;
        }

        if (p != body.Length)
        {
            return false;
        }

        record = new LeaseRecord(
            kind,
            mac,
            address,
            new DateTimeOffset(granted, TimeSpan.Zero),
            new DateTimeOffset(expires, TimeSpan.Zero),
            pool,
            host);
        return true;
    }

    private static bool ValidTicks(long ticks) => ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    internal enum HeaderStatus
    {
        Valid,
        Missing,
        Foreign,
        UnsupportedVersion,
    }

    private enum ParseStatus
    {
        Ok,
        Damaged,
        Undecodable,
    }

    internal readonly record struct ScanResult(List<LeaseRecord> Records, int CorruptRecords, int ValidLength);

    /// <summary>Pool names repeat in every record; decode each distinct one once.</summary>
    private sealed class StringCache
    {
        private readonly List<(byte[] Bytes, string Value)> _entries = [];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            foreach ((byte[] bytes, string value) in _entries)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    return value;
                }
            }

            string decoded = Encoding.UTF8.GetString(utf8);
            if (_entries.Count < 32)
            {
                _entries.Add((utf8.ToArray(), decoded));
            }

            return decoded;
        }
    }
}
