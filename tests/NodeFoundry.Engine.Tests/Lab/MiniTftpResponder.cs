using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Lab;

/// <summary>
/// A deliberately small TFTP read server for the client and relay tests (not the product's server): one
/// socket per transfer, blksize/tsize/windowsize honoured, a window resent from the last ACK after
/// <see cref="RetransmitAfter"/>, and switches that make it misbehave on purpose. Loopback only.
/// </summary>
internal sealed class MiniTftpResponder : IAsyncDisposable
{
    private readonly Socket _listen = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentBag<Task> _transfers = [];

    public MiniTftpResponder(IReadOnlyDictionary<string, byte[]> files)
    {
        Files = files;
        _listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_listen.LocalEndPoint!;
        _loop = Task.Run(ListenAsync);
    }

    public IReadOnlyDictionary<string, byte[]> Files { get; }

    public IPEndPoint EndPoint { get; }

    public TimeSpan RetransmitAfter { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Answer no request at all.</summary>
    public bool Silent { get; init; }

    /// <summary>Leave tsize out of the OACK.</summary>
    public bool OmitTransferSize { get; init; }

    /// <summary>Ignore every option: no OACK, 512-byte lock-step.</summary>
    public bool IgnoreOptions { get; init; }

    /// <summary>Stop sending (for good) after this many blocks.</summary>
    public long StallAfterBlocks { get; init; } = long.MaxValue;

    public ConcurrentQueue<TftpRequest> Requests { get; } = new();

    public ConcurrentQueue<TftpErrorPacket> ErrorsReceived { get; } = new();

    private async Task ListenAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _listen.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (!TftpPacket.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out _) || packet is not TftpRequest request)
            {
                continue;
            }

            Requests.Enqueue(request);
            if (Silent)
            {
                continue;
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            _transfers.Add(Task.Run(() => ServeAsync(request, client)));
        }
    }

    private async Task ServeAsync(TftpRequest request, IPEndPoint client)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        if (!Files.TryGetValue(request.FileName, out var file))
        {
            await socket.SendToAsync(new TftpErrorPacket(TftpErrorCode.FileNotFound, "no such file").ToArray(), SocketFlags.None, client);
            return;
        }

        var asked = IgnoreOptions ? TftpRequestedOptions.None : request.Requested;
        var blockSize = asked.BlockSize ?? 512;
        var window = asked.WindowSize ?? 1;
        var blocks = (file.Length / blockSize) + 1;
        var oack = new List<TftpOption>();
        if (asked.TransferSize is not null && !OmitTransferSize)
        {
            oack.Add(new TftpOption(TftpOptionNames.TransferSize, file.Length.ToString(CultureInfo.InvariantCulture)));
        }

        if (asked.BlockSize is not null)
        {
            oack.Add(new TftpOption(TftpOptionNames.BlockSize, blockSize.ToString(CultureInfo.InvariantCulture)));
        }

        if (asked.WindowSize is not null)
        {
            oack.Add(new TftpOption(TftpOptionNames.WindowSize, window.ToString(CultureInfo.InvariantCulture)));
        }

        var buffer = new byte[TftpPacket.MaxLength];
        var receive = new byte[2048];
        long acked = 0; // blocks acknowledged, counted without wrapping
        var tries = 0;
        var optionAcked = false;
        while (acked < blocks && tries < 40 && !_stop.IsCancellationRequested)
        {
            if (acked == 0 && oack.Count > 0 && !optionAcked)
            {
                await socket.SendToAsync(new TftpOptionAckPacket(oack).ToArray(), SocketFlags.None, client);
            }
            else
            {
                for (var n = acked + 1; n <= Math.Min(acked + window, blocks) && n <= StallAfterBlocks; n++)
                {
                    var offset = (n - 1) * blockSize;
                    var length = (int)Math.Min(blockSize, file.Length - offset);
                    var size = TftpDataPacket.Write(buffer, unchecked((ushort)n), file.AsSpan((int)offset, length));
                    await socket.SendToAsync(buffer.AsMemory(0, size), SocketFlags.None, client);
                }
            }

            // Wait for an ACK that moves us on; a stale one is ignored (no Sorcerer's Apprentice).
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            wait.CancelAfter(RetransmitAfter);
            var moved = false;
            while (!moved)
            {
                SocketReceiveFromResult got;
                try
                {
                    got = await socket.ReceiveFromAsync(receive, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (!TftpPacket.TryParse(receive.AsSpan(0, got.ReceivedBytes), out var packet, out _))
                {
                    continue;
                }

                if (packet is TftpErrorPacket error)
                {
                    ErrorsReceived.Enqueue(error);
                    return;
                }

                if (packet is TftpAckPacket ack)
                {
                    if (acked == 0 && ack.Block == 0 && oack.Count > 0 && !optionAcked)
                    {
                        optionAcked = true;
                        moved = true;
                        continue;
                    }

                    // The ACK's block, unwrapped near what we sent.
                    var ahead = unchecked((short)(ushort)(ack.Block - unchecked((ushort)acked)));
                    if (ahead > 0 && acked + ahead <= blocks)
                    {
                        acked += ahead;
                        moved = true;
                    }
                }
            }

            tries = moved ? 0 : tries + 1;
        }

    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listen.Dispose();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.WhenAll(_transfers).WaitAsync(TimeSpan.FromSeconds(15));
        _stop.Dispose();
    }
}
