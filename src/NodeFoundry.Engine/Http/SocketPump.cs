using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// Threads that continue parked connections when their sockets become ready, nginx-style: each pump owns an epoll
/// set and a thread that waits on it. A waiter (<see cref="IPumpWaiter"/>) parks itself with EPOLLIN or EPOLLOUT and
/// EPOLLONESHOT when its socket has nothing to read or no room to write, and when the kernel says the socket is
/// ready the pump runs the waiter's next turn right there: a <see cref="SendfileJob"/> sends until full again, a
/// <see cref="DirectReceiver"/> resumes its connection, which reads, answers and parks for the next request. A
/// connection's socket is always on the same pump (spread by descriptor) and is registered in its set once.
/// The runtime's own socket engine instead hands every readiness to a thread-pool worker (a context switch per
/// request) and, for SendPacketsAsync, asked the kernel where the file was (lseek, fstat) for each chunk.
/// Every wait is bounded: a parked waiter whose <see cref="IPumpWaiter.Deadline"/> passes gets
/// <see cref="IPumpWaiter.OnExpired"/>, checked every <see cref="ScanIntervalMs"/>.
/// </summary>
internal sealed class SocketPump
{
    private const int ScanIntervalMs = 250;
    private const int MaxEventsPerWait = 64;

    private static readonly Lazy<SocketPump[]> s_pumps = new(() =>
        [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4)).Select(i => new SocketPump(i))]);

    private static long s_parks;
    private static long s_lastToken;

    private readonly int _epoll;
    private readonly object _gate = new();
    private readonly Dictionary<long, IPumpWaiter> _parked = [];

    private SocketPump(int number)
    {
        _epoll = LinuxEpollCalls.EpollCreate(LinuxEpollCalls.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // A background thread per pump for the life of the process, like the runtime's own socket engine.
        new Thread(Run) { IsBackground = true, Name = $"nf-socket-{number}" }.Start();
    }

    /// <summary>The pump for a socket (spread by descriptor, so one connection always parks on the same epoll set).</summary>
    public static SocketPump For(int socketFd) => s_pumps.Value[socketFd % s_pumps.Value.Length];

    /// <summary>Times any waiter was parked in this process (tests use it to see that a send or receive really waited on a pump).</summary>
    public static long Parks => Interlocked.Read(ref s_parks);

    /// <summary>A token for a new waiter: unique in the process, so the waiters of every kind share one key space.</summary>
    public static long NewToken() => Interlocked.Increment(ref s_lastToken);

    /// <summary>Hands a waiter to the pump until its socket is ready. Abandons the waiter if it cannot.</summary>
    public void Park(IPumpWaiter waiter)
    {
        lock (_gate)
        {
            if (!waiter.Stop.IsCancellationRequested)
            {
                _parked.Add(waiter.Token, waiter);

                // Re-arm the descriptor (a kept-alive connection parked before); not in the set yet, add it. A closed
                // descriptor leaves epoll sets by itself, and a waiter holds its socket open while it exists.
                var armed = LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlMod, waiter.SocketFd, waiter.EpollEvent) == 0
                    || (Marshal.GetLastPInvokeError() == LinuxErrno.ENOENT
                        && LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlAdd, waiter.SocketFd, waiter.EpollEvent) == 0);
                if (armed)
                {
                    Interlocked.Increment(ref s_parks);
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                _parked.Remove(waiter.Token);
                waiter.OnAbandoned(new IOException($"epoll_ctl failed: errno {errno}"));
                return;
            }
        }

        waiter.OnAbandoned(new OperationCanceledException(waiter.Stop));
    }

    /// <summary>The server is stopping: a waiter still parked is abandoned now (one being run finds the stop when it parks again).</summary>
    public void Cancel(IPumpWaiter waiter)
    {
        lock (_gate)
        {
            if (!_parked.Remove(waiter.Token))
            {
                return;
            }
        }

        waiter.OnAbandoned(new OperationCanceledException(waiter.Stop));
    }

    private void Run()
    {
        var events = new byte[MaxEventsPerWait * LinuxEpollCalls.EpollEventSize];
        var nextScan = Environment.TickCount64 + ScanIntervalMs;
        while (true)
        {
            var count = LinuxEpollCalls.EpollWait(_epoll, events, MaxEventsPerWait, ScanIntervalMs);
            if (count < 0 && Marshal.GetLastPInvokeError() != LinuxErrno.EINTR)
            {
                // Cannot happen with a valid epoll descriptor; never spin on it.
                Thread.Sleep(ScanIntervalMs);
            }

            for (var i = 0; i < count; i++)
            {
                var token = BitConverter.ToInt64(events, (i * LinuxEpollCalls.EpollEventSize) + LinuxEpollCalls.EpollDataOffset);
                IPumpWaiter? waiter;
                lock (_gate)
                {
                    // Absent: it expired or was cancelled after the kernel queued the event.
                    if (!_parked.Remove(token, out waiter))
                    {
                        continue;
                    }
                }

                Resume(waiter);
            }

            if (Environment.TickCount64 >= nextScan)
            {
                ExpireOverdue();
                nextScan = Environment.TickCount64 + ScanIntervalMs;
            }
        }
    }

    private static void Resume(IPumpWaiter waiter)
    {
        try
        {
            waiter.OnReady();
        }
        catch (Exception ex)
        {
            // A waiter's turn catches its own failures; one that escapes must not take the pump (and every
            // connection parked on it) down with it.
            waiter.OnAbandoned(ex);
        }
    }

    private void ExpireOverdue()
    {
        List<IPumpWaiter>? overdue = null;
        var now = Environment.TickCount64;
        lock (_gate)
        {
            foreach (var waiter in _parked.Values)
            {
                if (waiter.Deadline <= now)
                {
                    (overdue ??= []).Add(waiter);
                }
            }

            foreach (var waiter in overdue ?? [])
            {
                _parked.Remove(waiter.Token);
            }
        }

        foreach (var waiter in overdue ?? [])
        {
            waiter.OnExpired();
        }
    }
}
