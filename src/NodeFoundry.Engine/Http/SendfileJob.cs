using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// One response on its way out by the direct Linux path: the head, then the body parts (bytes in memory or ranges
/// of the open file), written with send(2) and sendfile(2) on the non-blocking socket, with explicit file offsets
/// (no lseek, no fstat). A turn (<see cref="Advance"/>) writes until the socket is full, the response is done or the
/// turn's budget is used; the caller's thread takes the first turn and a <see cref="SocketPump"/> thread the
/// later ones, so a download that waits for its client costs no thread and no thread-pool hand-off per chunk.
/// Only one thread touches a job at a time: the caller until it parks the job, then whoever takes it off the pump.
/// </summary>
internal sealed class SendfileJob : IPumpWaiter
{
    private readonly int _socketFd;
    private readonly int _fileFd;
    private readonly ReadOnlyMemory<byte> _head;
    private readonly IReadOnlyList<ResponsePart> _parts;
    private readonly long _chunkBytes;
    private readonly long _sendTimeoutMs;

    // -1 is the head, 0.. the parts; _within counts the bytes of that segment already in the kernel.
    private int _index = -1;
    private long _within;
    private long _sinceDeadline;

    public SendfileJob(int socketFd, int fileFd, ReadOnlyMemory<byte> head, IReadOnlyList<ResponsePart> parts, HttpServerOptions options, CancellationToken stop)
    {
        _socketFd = socketFd;
        _fileFd = fileFd;
        _head = head;
        _parts = parts;
        _chunkBytes = options.SendChunkBytes;
        _sendTimeoutMs = (long)options.SendTimeout.TotalMilliseconds;
        Stop = stop;
        Token = SocketPump.NewToken();
        Deadline = Environment.TickCount64 + _sendTimeoutMs;
        EpollEvent = LinuxEpollCalls.EpollEvent(LinuxEpollCalls.EpollOut | LinuxEpollCalls.EpollOneShot, Token);
    }

    public int SocketFd => _socketFd;

    /// <summary>Bytes one turn may move before other jobs get theirs (<see cref="HttpServerOptions.SendChunkBytes"/>).</summary>
    public long ChunkBytes => _chunkBytes;

    /// <summary>Names this job in the pump's epoll set (never reused within the process).</summary>
    public long Token { get; }

    /// <summary>The epoll_event that arms this job's socket, built once.</summary>
    public byte[] EpollEvent { get; }

    public CancellationToken Stop { get; }

    /// <summary>The pump the job parks on once its socket is full (set by the caller before the first park).</summary>
    public SocketPump? Pump { get; set; }

    /// <summary>
    /// Milliseconds (<see cref="Environment.TickCount64"/>) by which the next <see cref="HttpServerOptions.SendChunkBytes"/>
    /// must have left: the same rule as the portable path (each chunk within <see cref="HttpServerOptions.SendTimeout"/>).
    /// </summary>
    public long Deadline { get; private set; }

    /// <summary>Body bytes handed to the kernel so far (the head is not counted, as on the portable path).</summary>
    public long BodySent { get; private set; }

    /// <summary>Completes when the pump finished the job, or fails with the send error, a timeout or the server's stop.</summary>
    public TaskCompletionSource<SendfileStep> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes until the socket is full, the response is done, or <paramref name="budget"/> bytes moved. Throws on a dead socket.</summary>
    public SendfileStep Advance(long budget)
    {
        long moved = 0;
        var interrupted = 0;
        while (true)
        {
            var length = SegmentLength(_index);
            if (_within == length)
            {
                if (_index + 1 == _parts.Count)
                {
                    return SendfileStep.Done;
                }

                _index++;
                _within = 0;
                continue;
            }

            if (moved >= budget)
            {
                return SendfileStep.Yielded;
            }

            var isFile = _index >= 0 && _parts[_index].IsFile;
            nint n;
            if (isFile)
            {
                var offset = _parts[_index].FileOffset + _within;
                n = LinuxSendCalls.Sendfile(_socketFd, _fileFd, ref offset, (nuint)Math.Min(length - _within, LinuxSendCalls.MaxSendfileCount));
            }
            else
            {
                var span = (_index < 0 ? _head : _parts[_index].Memory).Span[(int)_within..];
                n = LinuxSendCalls.Send(_socketFd, ref MemoryMarshal.GetReference(span), (nuint)span.Length, LinuxMessageFlags.DontWait | LinuxMessageFlags.NoSignal);
            }

            if (n > 0)
            {
                _within += n;
                moved += n;
                if (_index >= 0)
                {
                    BodySent += n;
                }

                _sinceDeadline += n;
                if (_sinceDeadline >= _chunkBytes)
                {
                    _sinceDeadline = 0;
                    Deadline = Environment.TickCount64 + _sendTimeoutMs;
                }

                continue;
            }

            if (n == 0)
            {
                // sendfile returns 0 only at the end of the file: it shrank under us, and the promised length cannot be kept.
                throw isFile
                    ? new IOException("the file ended before the promised Content-Length (truncated while being sent)")
                    : new SocketException((int)SocketError.ConnectionReset);
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case LinuxErrno.EAGAIN:
                    return SendfileStep.Blocked;
                case LinuxErrno.EINTR when ++interrupted < 100:
                    continue;
                case LinuxErrno.EINVAL or LinuxErrno.ENOSYS or LinuxErrno.EOPNOTSUPP when isFile:
                    return SendfileStep.Unsupported;
                case LinuxErrno.EPIPE or LinuxErrno.ECONNRESET or LinuxErrno.ENOTCONN or LinuxErrno.EBADF:
                    throw new SocketException((int)SocketError.ConnectionReset);
                default:
                    throw new IOException($"{(isFile ? "sendfile" : "send")} failed: errno {errno}");
            }
        }
    }

    /// <summary>The socket has room: the next turn, on the pump's thread; parks again until the response is done.</summary>
    public void OnReady()
    {
        try
        {
            switch (Advance(budget: ChunkBytes))
            {
                case SendfileStep.Blocked or SendfileStep.Yielded:
                    Pump!.Park(this);
                    break;
                case var step:
                    Completion.TrySetResult(step);
                    break;
            }
        }
        catch (Exception ex)
        {
            // A dead socket (EPIPE, reset) or a file error: the connection that owns the job decides what it means.
            Completion.TrySetException(ex);
        }
    }

    public void OnExpired() =>
        Completion.TrySetException(new OperationCanceledException("the client did not read the response within the send timeout"));

    public void OnAbandoned(Exception error) => Completion.TrySetException(error);

    /// <summary>What is still to send, for the portable path to finish a response this one could not (see <see cref="SendfileStep.Unsupported"/>).</summary>
    public (ReadOnlyMemory<byte> Head, List<ResponsePart> Parts) Remaining()
    {
        var head = _index < 0 ? _head[(int)_within..] : ReadOnlyMemory<byte>.Empty;
        var parts = new List<ResponsePart>();
        for (var i = Math.Max(_index, 0); i < _parts.Count; i++)
        {
            var part = _parts[i];
            var skip = i == _index ? _within : 0;
            parts.Add(part.IsFile
                ? ResponsePart.FromFile(part.FileOffset + skip, part.FileLength - skip)
                : ResponsePart.FromMemory(part.Memory[(int)skip..]));
        }

        return (head, parts);
    }

    private long SegmentLength(int index) => index < 0 ? _head.Length : _parts[index].Length;
}
