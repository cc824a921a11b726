using System.Buffers.Binary;
using System.Text;

namespace NodeFoundry.Dhcp.Wire;

public sealed partial class DhcpPacket
{
    /// <summary>
    /// Encodes the message into <paramref name="destination"/> and returns its length.
    /// </summary>
    /// <param name="maxLength">
    /// The client's maximum message size in option 57 units: the whole IP datagram, so the DHCP
    /// message itself gets <c>maxLength - 28</c> bytes (20 IPv4 + 8 UDP). Values below 576 are
    /// raised to 576, which every client must accept (RFC 2131 §2, RFC 2132 §9.10); the default
    /// therefore yields at most the 548 bytes RFC 2131 guarantees. Pass <c>request.MaxMessageSize ?? 576</c>.
    /// </param>
    /// <remarks>
    /// Options go out in insertion order, except option 82, which goes last (RFC 3046 §2.2).
    /// Values over 255 bytes are split into consecutive instances (RFC 3396). The message is padded
    /// to 300 bytes, the BOOTP minimum some relays and ROMs insist on. When the options do not fit,
    /// option 52 is added and the file field, then the sname field, carry the rest, provided they
    /// are empty. An option of 255 bytes or less is never split to fill a gap, so clients without
    /// RFC 3396 still read it; an option that overflows moves whole to the first area with room.
    /// </remarks>
    /// <exception cref="DhcpEncodeException">The content cannot fit, or a header value cannot be encoded.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the encoded message.</exception>
    public int WriteTo(Span<byte> destination, int maxLength = DhcpLayout.MinimumMaxMessageSize)
    {
        var layout = Plan(maxLength);
        if (destination.Length < layout.Length)
        {
            throw new ArgumentException(
                $"The encoded message needs {layout.Length} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        Emit(destination.Slice(0, layout.Length), layout);
        return layout.Length;
    }

    /// <summary>Encodes the message into a new array of exactly its length. See <see cref="WriteTo"/>.</summary>
    public byte[] ToArray(int maxLength = DhcpLayout.MinimumMaxMessageSize)
    {
        var layout = Plan(maxLength);
        var bytes = new byte[layout.Length];
        Emit(bytes, layout);
        return bytes;
    }

    /// <summary>Validates the header and decides where options go, without writing anything.</summary>
    private Layout Plan(int maxLength)
    {
        if (HardwareAddressLength > DhcpLayout.ClientHardwareAddressLength)
        {
            throw new DhcpEncodeException($"hlen {HardwareAddressLength} exceeds the 16-byte chaddr field.");
        }

        ValidateHeaderString(_serverName, DhcpLayout.ServerNameLength, "ServerName (sname)");
        ValidateHeaderString(_bootFileName, DhcpLayout.FileLength, "BootFileName (file)");

        int messageLimit = Math.Clamp(maxLength, DhcpLayout.MinimumMaxMessageSize, DhcpLayout.MaximumMaxMessageSize)
            - DhcpLayout.IpAndUdpHeaderLength;

        // Every area keeps one byte for its End option.
        int optionsCapacity = messageLimit - DhcpLayout.Options - 1;
        if (TryPlace(optionsCapacity, 0, 0, out int optionsUsed, out _, out _))
        {
            return new Layout(Math.Max(DhcpLayout.BootpMinimumLength, DhcpLayout.Options + optionsUsed + 1), optionsCapacity, 0, 0, 0);
        }

        // Overload: 3 bytes of option 52 at the start of the options field, then file, then sname.
        int fileCapacity = _bootFileName.Length == 0 ? DhcpLayout.FileLength - 1 : 0;
        int serverNameCapacity = _serverName.Length == 0 ? DhcpLayout.ServerNameLength - 1 : 0;
        optionsCapacity -= 3;
        if ((fileCapacity | serverNameCapacity) != 0
            && TryPlace(optionsCapacity, fileCapacity, serverNameCapacity, out optionsUsed, out int fileUsed, out int serverNameUsed))
        {
            byte overload = (byte)((fileUsed > 0 ? DhcpLayout.OverloadFile : 0) | (serverNameUsed > 0 ? DhcpLayout.OverloadServerName : 0));
            if (overload != 0)
            {
                return new Layout(
                    Math.Max(DhcpLayout.BootpMinimumLength, DhcpLayout.Options + 3 + optionsUsed + 1),
                    optionsCapacity,
                    fileCapacity,
                    serverNameCapacity,
                    overload);
            }
        }

        throw new DhcpEncodeException(
            $"Options need {EncodedOptionsLength()} bytes but a {messageLimit}-byte message leaves {messageLimit - DhcpLayout.Options - 1}"
            + (_bootFileName.Length == 0 && _serverName.Length == 0 ? " plus the file and sname fields." : " and the file/sname fields are in use.")
            + " Shorten options or honour a larger client maximum message size (option 57).");
    }

    /// <summary>Dry run of <see cref="PlaceOptions"/>: sizes only.</summary>
    private bool TryPlace(int optionsCapacity, int fileCapacity, int serverNameCapacity, out int optionsUsed, out int fileUsed, out int serverNameUsed)
    {
        Span<int> capacity = stackalloc int[3] { optionsCapacity, fileCapacity, serverNameCapacity };
        Span<int> used = stackalloc int[3];
        bool fits = PlaceOptions(capacity, used, default, default, default);
        optionsUsed = used[0];
        fileUsed = used[1];
        serverNameUsed = used[2];
        return fits;
    }

    /// <summary>
    /// Lays the options out across up to three areas (options, file, sname): each option goes
    /// whole into the first area with room, so option 53 and the other early options stay in the
    /// options field and small options can fill gaps. The instances of a split (over 255-byte)
    /// option never go back to an earlier area, so RFC 2131 read order rebuilds them in order.
    /// Writes only into the non-empty spans, so the same code sizes and emits.
    /// </summary>
    private bool PlaceOptions(Span<int> capacity, Span<int> used, Span<byte> options, Span<byte> file, Span<byte> serverName)
    {
        bool hasRelay = false;
        foreach (ref readonly var entry in Options.Entries)
        {
            if (entry.Code == DhcpOptionCode.RelayAgentInformation)
            {
                hasRelay = true;
                continue;
            }

            if (!PlaceOption(entry, capacity, used, options, file, serverName))
            {
                return false;
            }
        }

        if (hasRelay)
        {
            foreach (ref readonly var entry in Options.Entries)
            {
                if (entry.Code == DhcpOptionCode.RelayAgentInformation)
                {
                    return PlaceOption(entry, capacity, used, options, file, serverName);
                }
            }
        }

        return true;
    }

    private static bool PlaceOption(
        in DhcpOptionCollection.Entry entry, Span<int> capacity, Span<int> used, Span<byte> options, Span<byte> file, Span<byte> serverName)
    {
        int area = 0;
        ReadOnlySpan<byte> value = entry.Value.Span;
        do
        {
            int chunk = Math.Min(value.Length, 255);
            int size = 2 + chunk;
            while (area < 3 && used[area] + size > capacity[area])
            {
                area++;
            }

            if (area == 3)
            {
                return false;
            }

            Span<byte> target = area switch { 0 => options, 1 => file, _ => serverName };
            if (!target.IsEmpty)
            {
                int at = used[area];
                target[at] = (byte)entry.Code;
                target[at + 1] = (byte)chunk;
                value.Slice(0, chunk).CopyTo(target.Slice(at + 2));
            }

            used[area] += size;
            value = value.Slice(chunk);
        }
        while (!value.IsEmpty);

        return true;
    }

    private void Emit(Span<byte> message, Layout layout)
    {
        // Zero is Pad in option areas and NUL in sname/file, so clearing does all the padding.
        message.Clear();
        message[DhcpLayout.Op] = (byte)Op;
        message[DhcpLayout.HardwareType] = HardwareType;
        message[DhcpLayout.HardwareAddressLength] = HardwareAddressLength;
        message[DhcpLayout.Hops] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.TransactionId), TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(DhcpLayout.Seconds), Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(DhcpLayout.Flags), Flags);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.ClientAddress), _clientAddress);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.YourAddress), _yourAddress);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.ServerAddress), _serverAddress);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.GatewayAddress), _gatewayAddress);
        _clientHardwareAddress.CopyTo(message.Slice(DhcpLayout.ClientHardwareAddress));
        Encoding.ASCII.GetBytes(_serverName, message.Slice(DhcpLayout.ServerName, DhcpLayout.ServerNameLength));
        Encoding.ASCII.GetBytes(_bootFileName, message.Slice(DhcpLayout.File, DhcpLayout.FileLength));
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(DhcpLayout.MagicCookie), DhcpLayout.MagicCookieValue);

        int optionsStart = DhcpLayout.Options;
        if (layout.Overload != 0)
        {
            message[optionsStart] = (byte)DhcpOptionCode.OptionOverload;
            message[optionsStart + 1] = 1;
            message[optionsStart + 2] = layout.Overload;
            optionsStart += 3;
        }

        Span<int> capacity = stackalloc int[3] { layout.OptionsCapacity, layout.FileCapacity, layout.ServerNameCapacity };
        Span<int> used = stackalloc int[3];
        // Planning sized the message so every placed option (and each End) lies inside it.
        Span<byte> options = message.Slice(optionsStart);
        Span<byte> file = message.Slice(DhcpLayout.File, DhcpLayout.FileLength);
        Span<byte> serverName = message.Slice(DhcpLayout.ServerName, DhcpLayout.ServerNameLength);
        PlaceOptions(capacity, used, options, file, serverName);

        message[optionsStart + used[0]] = (byte)DhcpOptionCode.End;
        if ((layout.Overload & DhcpLayout.OverloadFile) != 0)
        {
            file[used[1]] = (byte)DhcpOptionCode.End;
        }

        if ((layout.Overload & DhcpLayout.OverloadServerName) != 0)
        {
            serverName[used[2]] = (byte)DhcpOptionCode.End;
        }
    }

    /// <summary>sname/file must stay NUL-terminated and ASCII: ROMs copy them with strcpy into fixed buffers.</summary>
    private static void ValidateHeaderString(string value, int fieldLength, string name)
    {
        if (value.Length >= fieldLength)
        {
            throw new DhcpEncodeException(
                $"{name} is {value.Length} characters; the field holds {fieldLength - 1} plus a NUL. Long boot file names (HTTP URLs) go in option 67.");
        }

        foreach (char c in value)
        {
            if (c is '\0' or > '\x7f')
            {
                throw new DhcpEncodeException($"{name} must be ASCII without NUL: \"{value}\".");
            }
        }
    }

    private int EncodedOptionsLength()
    {
        int total = 0;
        foreach (ref readonly var entry in Options.Entries)
        {
            int length = entry.Value.Length;
            total += length + (2 * Math.Max(1, (length + 254) / 255));
        }

        return total;
    }

    /// <summary>The outcome of planning: total length, per-area capacities, and the option 52 value (0 = none).</summary>
    private readonly record struct Layout(int Length, int OptionsCapacity, int FileCapacity, int ServerNameCapacity, byte Overload);
}
