using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// The Linux receive path of one connection: recv(2) with MSG_DONTWAIT on its socket, and when nothing is there the
/// connection parks on a <see cref="SocketPump"/> (EPOLLIN, one-shot). When the next request arrives the pump's thread
/// resumes the connection inline, so reading, parsing, answering a script and parking again run on that thread
/// without a hand-off: the runtime's socket engine would pass each readiness to a thread-pool worker, which was one
/// context switch per small request (docs/performance.md, "The small-script rate and the socket engine"). What a
/// resumed connection does must therefore not block; a route that writes to disk (phone-home) hops off first
/// (<see cref="HttpConnection"/>). One receiver per connection, used by one request loop at a time.
/// </summary>
internal sealed class DirectReceiver : IPumpWaiter, IDisposable
{
    /// <summary>
    /// Receives in a row that found data without waiting, after which the next one parks anyway: a client that keeps
    /// its socket full (a request flood, endless pipelining) would otherwise keep the pump's thread for itself. Parked
    /// with data pending, it is ready again at once, but behind the pump's other ready connections.
    /// </summary>
    internal const int ReadsBeforeYield = 32;

    private readonly SafeHandle _handle;
    private readonly SocketPump _pump;
    private readonly CancellationTokenRegistration _stopRegistration;
    private TaskCompletionSource<bool>? _wait;
    private long _parks;
    private int _readsSinceParked;

    public DirectReceiver(Socket socket, CancellationToken stop)
    {
        _handle = socket.SafeHandle;
        SocketFd = (int)_handle.DangerousGetHandle();
        Stop = stop;
        Token = SocketPump.NewToken();
        EpollEvent = LinuxEpollCalls.EpollEvent(LinuxEpollCalls.EpollIn | LinuxEpollCalls.EpollOneShot, Token);
        _pump = SocketPump.For(SocketFd);

        // One registration for the connection's life (not one per wait): a stop while parked ends the wait now; a stop
        // while the connection works is found by the next park.
        _stopRegistration = stop.Register(static s => ((DirectReceiver)s!).CancelWait(), this);
    }

    /// <summary>Linux, with the libc calls and epoll the direct send path already proved (<see cref="DirectFileSender.IsSupported"/>).</summary>
    public static bool IsSupported => DirectFileSender.IsSupported;

    public long Token { get; }

    public int SocketFd { get; }

    public byte[] EpollEvent { get; }

    public long Deadline { get; private set; }

    public CancellationToken Stop { get; }

    /// <summary>Times this receiver parked (counted just before it does; tests wait on it to know a receive is parked).</summary>
    public long Parks => Volatile.Read(ref _parks);

    /// <summary>
    /// Bytes received into <paramref name="memory"/>, 0 when the client closed, -1 when nothing came by
    /// <paramref name="deadline"/> (<see cref="Environment.TickCount64"/> milliseconds; a parked wait ends within the
    /// pump's scan interval after it). Throws <see cref="OperationCanceledException"/> on the server's stop and
    /// <see cref="SocketException"/> on a reset connection.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> memory, long deadline)
    {
        var interrupted = 0;
        while (true)
        {
            var referenced = false;
            try
            {
                // Referenced per call and while parked, never for the connection's life: Socket.Dispose waits for
                // references to go, and the portable send path disposes the socket to end a send (a lifelong
                // reference deadlocked it). A disposed socket throws ObjectDisposedException here: the connection ends.
                _handle.DangerousAddRef(ref referenced);
                if (_readsSinceParked < ReadsBeforeYield)
                {
                    var n = LinuxReceiveCalls.Recv(SocketFd, ref MemoryMarshal.GetReference(memory.Span), (nuint)memory.Length, LinuxMessageFlags.DontWait);
                    if (n >= 0)
                    {
                        _readsSinceParked++;
                        return (int)n;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    switch (errno)
                    {
                        case LinuxErrno.EAGAIN:
                            break;
                        case LinuxErrno.EINTR when ++interrupted < 100:
                            continue;
                        case LinuxErrno.ECONNRESET or LinuxErrno.ENOTCONN or LinuxErrno.ETIMEDOUT or LinuxErrno.EBADF:
                            throw new SocketException((int)SocketError.ConnectionReset);
                        default:
                            throw new IOException($"recv failed: errno {errno}");
                    }
                }

                // Nothing to read, or yielding the pump: wait on it.
                if (Environment.TickCount64 >= deadline)
                {
                    return -1;
                }

                // Parked still referenced, so the descriptor number in the epoll set is not reused meanwhile. Not
                // RunContinuationsAsynchronously: the pump's thread that completes the wait runs the rest of the
                // connection's turn itself.
                _readsSinceParked = 0;
                var wait = new TaskCompletionSource<bool>();
                _wait = wait;
                Deadline = deadline;
                Volatile.Write(ref _parks, _parks + 1);
                _pump.Park(this);
                if (!await wait.Task.ConfigureAwait(false))
                {
                    return -1;
                }

                // Readable (data, the client's FIN or a reset): the next recv says which.
            }
            finally
            {
                if (referenced)
                {
                    _handle.DangerousRelease();
                }
            }
        }
    }

    public void OnReady() => _wait!.TrySetResult(true);

    public void OnExpired() => _wait!.TrySetResult(false);

    /// <summary>
    /// Fails the wait off the caller's thread: a stop abandons every parked connection from the thread that cancels,
    /// and each one's closing work belongs on the thread pool, not in that loop.
    /// </summary>
    public void OnAbandoned(Exception error) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Wait.TrySetException(s.Error), (Wait: _wait!, Error: error), preferLocal: false);

    public void Dispose() => _stopRegistration.Dispose();

    private void CancelWait() => _pump.Cancel(this);
}
