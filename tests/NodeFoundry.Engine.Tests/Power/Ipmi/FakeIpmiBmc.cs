using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using NodeFoundry.Power;
using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>
/// A small BMC in the test, on a loopback UDP port, for what ipmi_sim cannot show: cipher suite 17 end to end, lost
/// and duplicated answers, a silent BMC, chosen completion codes, and boot flags kept bit for bit. It plays the BMC
/// side of RAKP with the same spec formulas (proved independently by the known-answer and capture tests).
/// </summary>
internal sealed class FakeIpmiBmc : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly byte[] _guid = Enumerable.Range(0x40, 16).Select(i => (byte)i).ToArray();
    private readonly object _lock = new();
    private IpmiCipherSuite _suite = IpmiCipherSuite.Suite3;
    private uint _consoleSessionId;
    private uint _bmcSessionId;
    private byte[] _consoleRandom = [];
    private byte[] _bmcRandom = [];
    private byte _role;
    private byte[] _userName = [];
    private IpmiSessionKeys? _keys;
    private uint _sequence;

    public FakeIpmiBmc(params int[] acceptedSuites)
    {
        AcceptedSuites = acceptedSuites.ToHashSet();
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ServeAsync);
    }

    public HashSet<int> AcceptedSuites { get; }

    public string UserName { get; init; } = "operator";

    public string Password { get; init; } = "fake-bmc-pw";

    /// <summary>Answer nothing at all (a dead BMC).</summary>
    public bool Silent { get; set; }

    /// <summary>Drop this many answers to the given command (netFn/cmd), as a lossy network would.</summary>
    public ConcurrentDictionary<(byte NetFn, byte Command), int> DropAnswers { get; } = new();

    /// <summary>Answer this completion code to the given command instead of executing it.</summary>
    public ConcurrentDictionary<(byte NetFn, byte Command), byte> FailWith { get; } = new();

    /// <summary>Send every session answer twice (a duplicating network).</summary>
    public bool Duplicate { get; set; }

    public bool PowerOn { get; private set; }

    public byte[] BootFlags { get; private set; } = new byte[5];

    public ConcurrentQueue<string> Received { get; } = new();

    public BmcEndpoint Endpoint => new("127.0.0.1", BmcProtocol.Ipmi, ((IPEndPoint)_socket.LocalEndPoint!).Port);

    public int Count(string prefix) => Received.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop ends by the socket's disposal
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (Silent)
            {
                Received.Enqueue("ignored");
                continue;
            }

            var answers = Handle(buffer.AsSpan(0, received.ReceivedBytes).ToArray());
            foreach (var answer in answers)
            {
                await _socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    private List<byte[]> Handle(byte[] datagram)
    {
        lock (_lock)
        {
            if (datagram.Length > 4 && datagram[4] == Ipmi15SessionWrapper.AuthTypeNone)
            {
                if (!Ipmi15SessionWrapper.TryDecode(datagram, out var message, out var wrapperError))
                {
                    Received.Enqueue("dropped " + wrapperError);
                    return [];
                }

                Received.Enqueue("v1.5 " + Convert.ToHexString(message.AsSpan(5, 1)));
                // channel 1, v2.0 extended caps, non-null user names, IPMI v2.0 supported, no OEM
                return [Ipmi15SessionWrapper.Encode(Response(message, 0x00, [0x01, 0x80, 0x04, 0x02, 0, 0, 0, 0]))];
            }

            var integrity = _keys?.Suite.Integrity ?? IpmiIntegrityAlgorithm.None;
            if (!RmcpPlusPacket.TryParse(datagram, integrity, _keys is null ? default : _keys.K1, out var packet, out var error))
            {
                Received.Enqueue("dropped " + error);
                return [];
            }

            return packet.PayloadType switch
            {
                IpmiPayloadType.OpenSessionRequest => [Setup(IpmiPayloadType.OpenSessionResponse, OpenSession(packet.Payload))],
                IpmiPayloadType.Rakp1 => [Setup(IpmiPayloadType.Rakp2, Rakp2(packet.Payload))],
                IpmiPayloadType.Rakp3 => Rakp4(packet.Payload) is { } rakp4 ? [Setup(IpmiPayloadType.Rakp4, rakp4)] : [],
                IpmiPayloadType.IpmiMessage => SessionMessage(packet),
                _ => [],
            };
        }
    }

    private byte[] OpenSession(byte[] payload)
    {
        var suite = AcceptedSuites.Select(IpmiCipherSuite.FromId).FirstOrDefault(s => s is not null && (byte)s.Authentication == payload[12] && (byte)s.Integrity == payload[20] && (byte)s.Confidentiality == payload[28]);
        _consoleSessionId = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(4));
        Received.Enqueue($"open {payload[12]:X2}/{payload[20]:X2}/{payload[28]:X2}");
        var answer = new byte[36];
        answer[0] = payload[0];
        BinaryPrimitives.WriteUInt32LittleEndian(answer.AsSpan(4), _consoleSessionId);
        if (suite is null)
        {
            answer[1] = RakpStatusCode.InvalidAuthenticationAlgorithm;
            return answer.AsSpan(0, 8).ToArray();
        }

        _suite = suite;
        _keys = null;
        _bmcSessionId = 0x0BADF00D;
        answer[2] = payload[1];
        BinaryPrimitives.WriteUInt32LittleEndian(answer.AsSpan(8), _bmcSessionId);
        payload.AsSpan(8, 24).CopyTo(answer.AsSpan(12));
        return answer;
    }

    private byte[] Rakp2(byte[] payload)
    {
        _consoleRandom = payload.AsSpan(8, 16).ToArray();
        _role = payload[24];
        _userName = payload.AsSpan(28, payload[27]).ToArray();
        _bmcRandom = RandomNumberGenerator.GetBytes(16);
        var header = new byte[8];
        header[0] = payload[0];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), _consoleSessionId);
        if (Encoding.UTF8.GetString(_userName) != UserName)
        {
            header[1] = RakpStatusCode.UnauthorizedName;
            return header;
        }

        var code = RakpCrypto.Rakp2AuthCode(_suite, RakpCrypto.PasswordKey(Password), Transcript());
        return [.. header, .. _bmcRandom, .. _guid, .. code];
    }

    private byte[]? Rakp4(byte[] payload)
    {
        if (payload[1] != RakpStatusCode.NoErrors)
        {
            Received.Enqueue($"rakp3 status {payload[1]:X2}");
            return null;
        }

        var header = new byte[8];
        header[0] = payload[0];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), _consoleSessionId);
        var expected = RakpCrypto.Rakp3AuthCode(_suite, RakpCrypto.PasswordKey(Password), Transcript());
        if (!payload.AsSpan(8).SequenceEqual(expected))
        {
            header[1] = RakpStatusCode.InvalidIntegrityCheckValue;
            return header;
        }

        _keys = IpmiSessionKeys.Derive(_suite, RakpCrypto.PasswordKey(Password), Transcript());
        _sequence = 0;
        Received.Enqueue($"session {_suite.Id}");
        return [.. header, .. RakpCrypto.Rakp4Icv(_suite, _keys.Sik, Transcript())];
    }

    private List<byte[]> SessionMessage(RmcpPlusPacket packet)
    {
        if (_keys is null || packet.SessionId != _bmcSessionId)
        {
            Received.Enqueue("dropped: no session");
            return [];
        }

        var message = packet.Payload;
        if (packet.Encrypted && !AesCbc128Payload.TryDecrypt(packet.Payload, _keys.AesKey, out message, out var error))
        {
            Received.Enqueue("dropped " + error); // a client test asserts no "dropped" entries where it matters
            return [];
        }

        var netFn = (byte)(message[1] >> 2);
        var command = message[5];
        var data = message.AsSpan(6, message.Length - 7).ToArray();
        Received.Enqueue($"{netFn:X2}/{command:X2} {Convert.ToHexString(data)}");
        byte[] answer;
        if (FailWith.TryGetValue((netFn, command), out var code))
        {
            answer = Response(message, code, []);
        }
        else
        {
            answer = Execute(message, netFn, command, data);
        }

        if (DropAnswers.TryGetValue((netFn, command), out var drops) && drops > 0)
        {
            DropAnswers[(netFn, command)] = drops - 1;
            return [];
        }

        var datagram = Wrap(answer);
        return Duplicate ? [datagram, datagram] : [datagram];
    }

    private byte[] Execute(byte[] message, byte netFn, byte command, byte[] data)
    {
        switch ((netFn, command))
        {
            case (0x06, IpmiCommands.SetSessionPrivilegeLevel):
                return Response(message, 0, [data[0]]);
            case (0x06, IpmiCommands.CloseSession):
                return Response(message, BinaryPrimitives.ReadUInt32LittleEndian(data) == _bmcSessionId ? (byte)0 : (byte)0x87, []);
            case (0x00, IpmiCommands.GetChassisStatus):
                return Response(message, 0, [(byte)(PowerOn ? 0x01 : 0x00), 0x00, 0x00]);
            case (0x00, IpmiCommands.ChassisControl):
                PowerOn = data[0] switch
                {
                    0x00 or 0x05 => false,
                    0x01 => true,
                    _ => PowerOn,
                };
                return Response(message, 0, []);
            case (0x00, IpmiCommands.SetSystemBootOptions) when data[0] == 5:
                BootFlags = data.AsSpan(1).ToArray();
                return Response(message, 0, []);
            case (0x00, IpmiCommands.SetSystemBootOptions):
                return Response(message, 0, []);
            case (0x00, IpmiCommands.GetSystemBootOptions) when data[0] == 5:
                return Response(message, 0, [0x01, 0x05, .. BootFlags]);
            default:
                return Response(message, 0xC1, []);
        }
    }

    private byte[] Wrap(byte[] message)
    {
        var keys = _keys!;
        _sequence++;
        var encrypted = keys.Suite.Confidentiality != IpmiConfidentialityAlgorithm.None;
        var authenticated = keys.Suite.Integrity != IpmiIntegrityAlgorithm.None;
        var payload = encrypted ? AesCbc128Payload.Encrypt(message, keys.AesKey) : message;
        return new RmcpPlusPacket(IpmiPayloadType.IpmiMessage, encrypted, authenticated, _consoleSessionId, _sequence, payload).Encode(keys.Suite.Integrity, keys.K1);
    }

    private static byte[] Setup(IpmiPayloadType type, byte[] payload) => new RmcpPlusPacket(type, false, false, 0, 0, payload).Encode();

    private RakpTranscript Transcript() => new(_consoleSessionId, _bmcSessionId, _consoleRandom, _bmcRandom, _guid, _role, _userName);

    private static byte[] Response(byte[] request, byte completionCode, byte[] data)
    {
        // rqAddr, netFn+1 / rqLUN, checksum, rsAddr, rqSeq / rsLUN, command, completion code, data, checksum
        var bytes = new byte[8 + data.Length];
        bytes[0] = request[3];
        bytes[1] = (byte)(((request[1] >> 2) + 1) << 2);
        bytes[2] = IpmiChecksum.Compute(bytes.AsSpan(0, 2));
        bytes[3] = request[0];
        bytes[4] = request[4];
        bytes[5] = request[5];
        bytes[6] = completionCode;
        data.CopyTo(bytes, 7);
        bytes[^1] = IpmiChecksum.Compute(bytes.AsSpan(3, bytes.Length - 4));
        return bytes;
    }
}
