using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// One DHCPv4 message (RFC 2131 §2): the fixed BOOTP header and the options, as typed values.
/// Parsing lives in DhcpPacket.Parse.cs, encoding in DhcpPacket.Write.cs.
/// </summary>
/// <remarks>
/// Typed getters over options return null (or an empty list) both when the option is absent and
/// when it is malformed: a client that sends a broken option 93 is, for policy, a client that sent
/// no option 93. Getters never throw. Addresses are kept as integers and only become
/// <see cref="IPAddress"/> objects when asked for, to keep the parse path light.
/// </remarks>
public sealed partial class DhcpPacket
{
    private byte[] _clientHardwareAddress = new byte[DhcpLayout.ClientHardwareAddressLength];
    private uint _clientAddress;
    private uint _yourAddress;
    private uint _serverAddress;
    private uint _gatewayAddress;
    private string _serverName = string.Empty;
    private string _bootFileName = string.Empty;

    /// <summary>An empty BOOTREQUEST on Ethernet (htype 1, hlen 6).</summary>
    public DhcpPacket()
    {
    }

    public DhcpOpCode Op { get; set; } = DhcpOpCode.BootRequest;

    /// <summary>ARP hardware type; 1 = Ethernet.</summary>
    public byte HardwareType { get; set; } = 1;

    /// <summary>'hlen': how many bytes of chaddr are the hardware address (6 for Ethernet).</summary>
    public byte HardwareAddressLength { get; set; } = 6;

    /// <summary>Relay hop count; relays increment it, clients send 0.</summary>
    public byte Hops { get; set; }

    /// <summary>'xid', chosen by the client and echoed in every reply.</summary>
    public uint TransactionId { get; set; }

    /// <summary>'secs': seconds since the client started trying.</summary>
    public ushort Seconds { get; set; }

    public ushort Flags { get; set; }

    /// <summary>
    /// The BROADCAST flag (RFC 2131 §4.1): the client cannot receive unicast before it has an
    /// address, so replies must go to 255.255.255.255.
    /// </summary>
    public bool IsBroadcast
    {
        get => (Flags & DhcpLayout.BroadcastFlag) != 0;
        set => Flags = value ? (ushort)(Flags | DhcpLayout.BroadcastFlag) : (ushort)(Flags & 0x7FFF);
    }

    /// <summary>'ciaddr': the client's current address (renewing, INFORM); <see cref="IPAddress.Any"/> when zero.</summary>
    public IPAddress ClientAddress
    {
        get => DhcpLayout.ToAddress(_clientAddress);
        set => _clientAddress = DhcpLayout.ToUInt32(value, nameof(value));
    }

    /// <summary>'yiaddr': the address the server gives the client.</summary>
    public IPAddress YourAddress
    {
        get => DhcpLayout.ToAddress(_yourAddress);
        set => _yourAddress = DhcpLayout.ToUInt32(value, nameof(value));
    }

    /// <summary>'siaddr': the next server in the boot process (the TFTP server, "next-server").</summary>
    public IPAddress ServerAddress
    {
        get => DhcpLayout.ToAddress(_serverAddress);
        set => _serverAddress = DhcpLayout.ToUInt32(value, nameof(value));
    }

    /// <summary>'giaddr': the relay agent that forwarded the request; replies go back to it on port 67.</summary>
    public IPAddress GatewayAddress
    {
        get => DhcpLayout.ToAddress(_gatewayAddress);
        set => _gatewayAddress = DhcpLayout.ToUInt32(value, nameof(value));
    }

    /// <summary>
    /// The whole 16-byte 'chaddr' field (the live array). Setting copies up to 16 bytes and
    /// zero-fills the rest; it does not change <see cref="HardwareAddressLength"/>.
    /// </summary>
    public byte[] ClientHardwareAddress
    {
        get => _clientHardwareAddress;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length > DhcpLayout.ClientHardwareAddressLength)
            {
                throw new ArgumentException($"chaddr holds at most 16 bytes, not {value.Length}.", nameof(value));
            }

            var copy = new byte[DhcpLayout.ClientHardwareAddressLength];
            value.CopyTo(copy, 0);
            _clientHardwareAddress = copy;
        }
    }

    /// <summary>
    /// The first 'hlen' bytes of chaddr (hlen clamped to 16). Setting writes chaddr and hlen.
    /// </summary>
    public PhysicalAddress MacAddress
    {
        get
        {
            int length = Math.Min((int)HardwareAddressLength, DhcpLayout.ClientHardwareAddressLength);
            return new PhysicalAddress(_clientHardwareAddress.AsSpan(0, length).ToArray());
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            byte[] bytes = value.GetAddressBytes();
            ClientHardwareAddress = bytes;
            HardwareAddressLength = (byte)bytes.Length;
        }
    }

    /// <summary>
    /// 'sname' (ASCII, up to the first NUL; at most 63 characters so the field stays NUL-terminated).
    /// Empty after parsing when the field carried overloaded options.
    /// </summary>
    public string ServerName
    {
        get => _serverName;
        set => _serverName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// 'file' (ASCII, up to the first NUL; at most 127 characters). A longer name, such as an HTTP
    /// Boot URL, belongs in option 67. Empty after parsing when the field carried overloaded options.
    /// </summary>
    public string BootFileName
    {
        get => _bootFileName;
        set => _bootFileName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>All options except Pad, End and Overload, which are framing.</summary>
    public DhcpOptionCollection Options { get; } = new();

    /// <summary>Option 53; null when absent, not one byte, or not a type we know.</summary>
    public DhcpMessageType? MessageType
    {
        get
        {
            if (!Options.TryGet(DhcpOptionCode.MessageType, out var value) || value.Length != 1)
            {
                return null;
            }

            byte type = value.Span[0];
            return type is >= (byte)DhcpMessageType.Discover and <= (byte)DhcpMessageType.Inform ? (DhcpMessageType)type : null;
        }
    }

    /// <summary>Option 50 (the address a client asks for in REQUEST / DISCOVER).</summary>
    public IPAddress? RequestedIpAddress => GetAddress(DhcpOptionCode.RequestedIpAddress);

    /// <summary>Option 54 (which server a REQUEST selects).</summary>
    public IPAddress? ServerIdentifier => GetAddress(DhcpOptionCode.ServerIdentifier);

    /// <summary>Option 93: the client's architectures, in the client's order; empty when absent or of odd length.</summary>
    public IReadOnlyList<ushort> ClientArchitectures
    {
        get
        {
            if (!Options.TryGet(DhcpOptionCode.ClientSystemArchitecture, out var value)
                || value.Length == 0 || value.Length % 2 != 0)
            {
                return Array.Empty<ushort>();
            }

            ReadOnlySpan<byte> span = value.Span;
            var arches = new ushort[span.Length / 2];
            for (int i = 0; i < arches.Length; i++)
            {
                arches[i] = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(i * 2));
            }

            return arches;
        }
    }

    /// <summary>Option 60, e.g. <c>PXEClient:Arch:00007:UNDI:003000</c> or <c>HTTPClient:…</c>.</summary>
    public string? VendorClassIdentifier => GetString(DhcpOptionCode.VendorClassIdentifier);

    /// <summary>Option 77 as sent (raw or RFC 3004 framed; see <see cref="IsIpxeUserClass"/>).</summary>
    public ReadOnlyMemory<byte>? UserClass => Options.Get(DhcpOptionCode.UserClass);

    /// <summary>
    /// Whether option 77 says "iPXE": either the raw four bytes (what iPXE actually sends) or RFC 3004
    /// framing (length-prefixed instances) with one instance equal to "iPXE". Case-sensitive, as iPXE sends it.
    /// </summary>
    public bool IsIpxeUserClass
    {
        get
        {
            if (!Options.TryGet(DhcpOptionCode.UserClass, out var value))
            {
                return false;
            }

            ReadOnlySpan<byte> span = value.Span;
            if (span.SequenceEqual("iPXE"u8))
            {
                return true;
            }

            // RFC 3004: a sequence of (length, data) instances, each length >= 1, filling the option exactly.
            bool found = false;
            int i = 0;
            while (i < span.Length)
            {
                int length = span[i];
                if (length == 0 || i + 1 + length > span.Length)
                {
                    return false;
                }

                found |= span.Slice(i + 1, length).SequenceEqual("iPXE"u8);
                i += 1 + length;
            }

            return found;
        }
    }

    /// <summary>Option 175 present: the client is iPXE (even when its user class was customised away).</summary>
    public bool HasIpxeEncapsulatedOptions => Options.Contains(DhcpOptionCode.IpxeEncapsulated);

    /// <summary>Option 61 (type byte + identifier, usually 1 + MAC); null when absent or shorter than the RFC 2132 minimum of 2.</summary>
    public byte[]? ClientIdentifier =>
        Options.TryGet(DhcpOptionCode.ClientIdentifier, out var value) && value.Length >= 2 ? value.ToArray() : null;

    /// <summary>Option 97 raw (type + UUID), to mirror back to PXE clients as sent.</summary>
    public byte[]? ClientMachineIdentifier =>
        Options.TryGet(DhcpOptionCode.ClientMachineIdentifier, out var value) && value.Length > 0 ? value.ToArray() : null;

    /// <summary>
    /// Option 97 as a GUID when it is type 0 followed by 16 bytes (RFC 4578 §2.3). The bytes are in
    /// PXE/SMBIOS 2.6 order (first three fields little-endian), which is exactly .NET's
    /// <see cref="Guid(ReadOnlySpan{byte})"/> layout, so <c>ToString()</c> matches dmidecode and the BMC.
    /// iPXE without an SMBIOS UUID sends all zeros: <see cref="Guid.Empty"/>.
    /// </summary>
    public Guid? ClientMachineGuid
    {
        get
        {
            if (!Options.TryGet(DhcpOptionCode.ClientMachineIdentifier, out var value) || value.Length != 17)
            {
                return null;
            }

            ReadOnlySpan<byte> span = value.Span;
            return span[0] == 0 ? new Guid(span.Slice(1, 16)) : null;
        }
    }

    /// <summary>Option 12.</summary>
    public string? HostName => GetString(DhcpOptionCode.HostName);

    /// <summary>Option 55: the option codes the client asks for, in its order of preference.</summary>
    public IReadOnlyList<byte> ParameterRequestList =>
        Options.TryGet(DhcpOptionCode.ParameterRequestList, out var value) ? value.ToArray() : Array.Empty<byte>();

    /// <summary>
    /// Option 57; null when absent, not two bytes, or below the legal minimum of 576 (RFC 2132 §9.10),
    /// so callers can write <c>ToArray(request.MaxMessageSize ?? 576)</c>.
    /// </summary>
    public ushort? MaxMessageSize
    {
        get
        {
            if (!Options.TryGet(DhcpOptionCode.MaxMessageSize, out var value) || value.Length != 2)
            {
                return null;
            }

            ushort size = BinaryPrimitives.ReadUInt16BigEndian(value.Span);
            return size >= DhcpLayout.MinimumMaxMessageSize ? size : null;
        }
    }

    /// <summary>Option 82 raw; see <see cref="Wire.RelayAgentInformation.ParseSubOptions"/>.</summary>
    public byte[]? RelayAgentInformation =>
        Options.TryGet(DhcpOptionCode.RelayAgentInformation, out var value) ? value.ToArray() : null;

    /// <summary>
    /// Starts a reply (RFC 2131 table 3): BOOTREPLY with the request's htype, hlen, xid, flags,
    /// giaddr and chaddr; option 53 set first; option 82 echoed when present (RFC 3046 §2.2; the
    /// writer always emits it last). Hops, secs and the addresses are left zero for policy to fill.
    /// </summary>
    public static DhcpPacket CreateReply(DhcpPacket request, DhcpMessageType type)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = new DhcpPacket
        {
            Op = DhcpOpCode.BootReply,
            HardwareType = request.HardwareType,
            HardwareAddressLength = request.HardwareAddressLength,
            TransactionId = request.TransactionId,
            Flags = request.Flags,
            _gatewayAddress = request._gatewayAddress,
            _clientHardwareAddress = (byte[])request._clientHardwareAddress.Clone(),
        };
        reply.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        if (request.Options.TryGet(DhcpOptionCode.RelayAgentInformation, out var relay))
        {
            reply.Options.Set(DhcpOptionCode.RelayAgentInformation, relay.Span);
        }

        return reply;
    }

    private IPAddress? GetAddress(DhcpOptionCode code) =>
        Options.TryGet(code, out var value) && value.Length == 4
            ? DhcpLayout.ToAddress(BinaryPrimitives.ReadUInt32BigEndian(value.Span))
            : null;

    /// <summary>
    /// An ASCII option value. Trailing NULs are dropped: RFC 2132 says options are not terminated,
    /// but some firmware terminates them anyway. Non-ASCII bytes become '?'.
    /// </summary>
    private string? GetString(DhcpOptionCode code)
    {
        if (!Options.TryGet(code, out var value))
        {
            return null;
        }

        ReadOnlySpan<byte> span = value.Span;
        int length = span.Length;
        while (length > 0 && span[length - 1] == 0)
        {
            length--;
        }

        return length == 0 ? string.Empty : Encoding.ASCII.GetString(span.Slice(0, length));
    }
}
