using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// A PXE-ROM-like TFTP reader for loopback tests: one socket, a ~4 s timeout with few retries, any
/// timeout beyond them fatal. Knobs make it misbehave the ways real clients do.
/// </summary>
internal sealed class TestTftpClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;

    public TestTftpClient(IPEndPoint server)
    {
        _server = server;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    public int Retries { get; init; } = 3;

    /// <summary>Send every ACK twice (a duplicating network).</summary>
    public bool DuplicateAcks { get; init; }

    /// <summary>Swallow the ACK for this block once (a lost ACK); the server must retransmit.</summary>
    public long? LoseAckForBlock { get; init; }

    /// <summary>Drop this share of received packets (seeded per client), as a lossy link would.</summary>
    public double IncomingLoss { get; init; }

    public int LossSeed { get; init; } = 1;

    /// <summary>Every DATA and OACK received, in order (block numbers; -1 for OACK).</summary>
    public List<int> Received { get; } = [];

    public int AcksSent { get; private set; }

    public IReadOnlyList<TftpOption>? OptionAck { get; private set; }

    public static byte[] Request(string file, params (string Name, string Value)[] options) =>
        new TftpRequest(false, file, TftpTransferMode.Octet, options.Select(o => new TftpOption(o.Name, o.Value)).ToList()).ToArray();

    public static (string, string)[] Options(int? blockSize = null, int? windowSize = null, bool tsize = false)
    {
        var list = new List<(string, string)>();
        if (tsize)
        {
            list.Add(("tsize", "0"));
        }

        if (blockSize is { } b)
        {
            list.Add(("blksize", b.ToString(CultureInfo.InvariantCulture)));
        }

        if (windowSize is { } w)
        {
            list.Add(("windowsize", w.ToString(CultureInfo.InvariantCulture)));
        }

        return [.. list];
    }

    public void SendRaw(byte[] datagram, IPEndPoint? to = null) => _socket.SendTo(datagram, to ?? _server);

    /// <summary>Receives one packet (or null on timeout), with its source.</summary>
    public async Task<(TftpPacket? Packet, IPEndPoint? From)> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[70000];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return TftpPacket.TryParse(buffer.AsSpan(0, result.ReceivedBytes), out var packet, out _)
                ? (packet, (IPEndPoint)result.RemoteEndPoint)
                : (null, (IPEndPoint)result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return (null, null);
        }
    }

    /// <summary>Downloads <paramref name="file"/>; throws <see cref="TftpClientException"/> on an ERROR or after the retries.</summary>
    public async Task<byte[]> DownloadAsync(string file, int? blockSize = null, int? windowSize = null, bool tsize = false)
    {
        var request = Request(file, Options(blockSize, windowSize, tsize));
        var output = new MemoryStream();
        IPEndPoint? peer = null;
        var negotiatedBlock = 512;
        var negotiatedWindow = 1;
        long expected = 1;
        var inWindow = 0;
        byte[] lastSent = request;
        var lostOnce = false;
        SendRaw(request);
        var timeouts = 0;
        var loss = new Random(LossSeed);
        for (var guard = 0; guard < 10_000_000; guard++)
        {
            var (packet, from) = await ReceiveAsync(Timeout);
            if (packet is null)
            {
                if (from is not null)
                {
                    continue;
                }

                if (++timeouts > Retries)
                {
                    throw new TftpClientException($"timed out after {Retries} retries at block {expected}");
                }

                _socket.SendTo(lastSent, peer ?? _server);
                continue;
            }

            if (peer is not null && !peer.Equals(from))
            {
                continue;
            }

            if (IncomingLoss > 0 && loss.NextDouble() < IncomingLoss)
            {
                continue;
            }

            timeouts = 0;
            switch (packet)
            {
                case TftpErrorPacket error:
                    throw new TftpClientException($"ERROR {error.Code}: {error.Message}");

                case TftpOptionAckPacket oack when peer is null:
                    peer = from;
                    OptionAck = oack.Options;
                    Received.Add(-1);
                    foreach (var option in oack.Options)
                    {
                        if (option.Is("blksize"))
                        {
                            negotiatedBlock = int.Parse(option.Value, CultureInfo.InvariantCulture);
                        }
                        else if (option.Is("windowsize"))
                        {
                            negotiatedWindow = int.Parse(option.Value, CultureInfo.InvariantCulture);
                        }
                    }

                    lastSent = Ack(0);
                    break;

                case TftpDataPacket data:
                    peer ??= from;
                    Received.Add(data.Block);
                    if (data.Block != (ushort)(expected & 0xFFFF))
                    {
                        // Out of order (a block was lost): RFC 7440 — acknowledge the last good block, once per window.
                        if (inWindow >= 0)
                        {
                            lastSent = Ack(expected - 1);
                            inWindow = -1;
                        }

                        break;
                    }

                    output.Write(data.Payload.Span);
                    expected++;
                    inWindow = inWindow < 0 ? 1 : inWindow + 1;
                    var last = data.Payload.Length < negotiatedBlock;
                    if (last || inWindow >= negotiatedWindow)
                    {
                        inWindow = 0;
                        if (LoseAckForBlock == expected - 1 && !lostOnce)
                        {
                            lostOnce = true;
                            lastSent = new TftpAckPacket((ushort)((expected - 1) & 0xFFFF)).ToArray();
                        }
                        else
                        {
                            lastSent = Ack(expected - 1);
                        }
                    }

                    if (last)
                    {
                        return output.ToArray();
                    }

                    break;
            }
        }

        throw new TftpClientException("guard exceeded");

        byte[] Ack(long block)
        {
            var ack = new TftpAckPacket((ushort)(block & 0xFFFF)).ToArray();
            _socket.SendTo(ack, peer!);
            AcksSent++;
            if (DuplicateAcks)
            {
                _socket.SendTo(ack, peer!);
                AcksSent++;
            }

            return ack;
        }
    }

    public void Dispose() => _socket.Dispose();
}

internal sealed class TftpClientException(string message) : Exception(message);
