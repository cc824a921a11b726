namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// An established RMCP+ session: IDs, keys and both sequence spaces. Wraps requests into authenticated, encrypted
/// datagrams and unwraps answers, refusing anything with a bad AuthCode, another session's ID or a replayed session
/// sequence number. No I/O.
/// </summary>
internal sealed class IpmiSession
{
    // IPMI v2.0 section 6.12.13: a receiver accepts sequence numbers up to 15 behind the highest seen, once each.
    private const uint ReplayWindow = 16;

    private readonly HashSet<uint> _recentInbound = [];
    private uint _outboundSequence;
    private uint _highestInbound;
    private byte _requestSequence;

    public IpmiSession(IpmiSessionKeys keys, uint consoleSessionId, uint bmcSessionId)
    {
        Keys = keys;
        ConsoleSessionId = consoleSessionId;
        BmcSessionId = bmcSessionId;
    }

    public IpmiSessionKeys Keys { get; }

    public uint ConsoleSessionId { get; }

    public uint BmcSessionId { get; }

    private bool Authenticated => Keys.Suite.Integrity != IpmiIntegrityAlgorithm.None;

    private bool Encrypted => Keys.Suite.Confidentiality != IpmiConfidentialityAlgorithm.None;

    /// <summary>A request with the next rqSeq (1-63, wrapping; 0 is left to session-less requests).</summary>
    public IpmiRequest NextRequest(IpmiNetFn netFn, byte command, byte[] data)
    {
        _requestSequence = (byte)(_requestSequence % 63 + 1);
        return new IpmiRequest(netFn, command, _requestSequence, data);
    }

    /// <summary>The datagram for one attempt at <paramref name="request"/>: a fresh session sequence number each time.</summary>
    public byte[] Wrap(IpmiRequest request)
    {
        // Session sequence numbers start at 1 and never repeat within a session (0 is reserved for session-less).
        _outboundSequence = _outboundSequence == uint.MaxValue ? 1 : _outboundSequence + 1;
        var message = request.Encode();
        var payload = Encrypted ? AesCbc128Payload.Encrypt(message, Keys.AesKey) : message;
        return new RmcpPlusPacket(IpmiPayloadType.IpmiMessage, Encrypted, Authenticated, BmcSessionId, _outboundSequence, payload)
            .Encode(Keys.Suite.Integrity, Keys.K1);
    }

    /// <summary>The response to <paramref name="request"/> in <paramref name="datagram"/>, or null (with the reason) when it is not one.</summary>
    public IpmiResponse? Unwrap(byte[] datagram, IpmiRequest request, out string? dropped)
    {
        if (!RmcpPlusPacket.TryParse(datagram, Keys.Suite.Integrity, Keys.K1, out var packet, out dropped))
        {
            return null;
        }

        if (packet.SessionId != ConsoleSessionId || packet.PayloadType != IpmiPayloadType.IpmiMessage)
        {
            dropped = "not an IPMI message of this session";
            return null;
        }

        if (packet.Authenticated != Authenticated || packet.Encrypted != Encrypted)
        {
            dropped = "the answer's security flags do not match the session's cipher suite";
            return null;
        }

        var message = packet.Payload;
        if (Encrypted && !AesCbc128Payload.TryDecrypt(packet.Payload, Keys.AesKey, out message, out dropped))
        {
            return null;
        }

        if (!IpmiResponse.TryParse(message, out var response, out dropped))
        {
            return null;
        }

        if (!response.Answers(request))
        {
            dropped = $"answer to another request (rqSeq {response.Sequence}, command {response.Command:X2}h)";
            return null;
        }

        // Checked last, so a stale answer to an earlier attempt does not consume a sequence slot.
        if (Authenticated && !AcceptInboundSequence(packet.SessionSequence))
        {
            dropped = $"replayed or stale session sequence {packet.SessionSequence}";
            return null;
        }

        dropped = null;
        return response;
    }

    private bool AcceptInboundSequence(uint sequence)
    {
        if (sequence == 0 || (_highestInbound > ReplayWindow && sequence <= _highestInbound - ReplayWindow) || !_recentInbound.Add(sequence))
        {
            return false;
        }

        if (sequence > _highestInbound)
        {
            _highestInbound = sequence;
            _recentInbound.RemoveWhere(s => _highestInbound > ReplayWindow && s <= _highestInbound - ReplayWindow);
        }

        return true;
    }
}
