using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// Threads that continue parked <see cref="SendfileJob"/>s when their sockets become writable, nginx-style: each
/// pump owns an epoll set and a thread that waits on it; a job parks itself with EPOLLOUT|EPOLLONESHOT when its
/// socket is full, and when the kernel says the socket has room the pump runs the job's next turn right there
/// (sendfile until full again), then parks it again. Only a finished or failed job goes back to the thread pool,
/// once per response. The runtime's own SendPacketsAsync instead completed every chunk on the thread pool and
/// asked the kernel where the file was (lseek, fstat) for each.
/// Every wait is bounded: a parked job whose <see cref="SendfileJob.Deadline"/> passes is failed as a send timeout,
/// checked every <see cref="ScanIntervalMs"/>.
/// </summary>
internal sealed class SendfilePump
{
    private const int ScanIntervalMs = 250;
    private const int MaxEventsPerWait = 64;

    private static readonly Lazy<SendfilePump[]> s_pumps = new(() =>
        [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4)).Select(i => new SendfilePump(i))]);

    private static long s_parks;

    private readonly int _epoll;
    private readonly object _gate = new();
    private readonly Dictionary<long, SendfileJob> _parked = [];

    private SendfilePump(int number)
    {
        _epoll = LinuxEpollCalls.EpollCreate(LinuxEpollCalls.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // A background thread per pump for the life of the process, like the runtime's own socket engine.
        new Thread(Run) { IsBackground = true, Name = $"nf-sendfile-{number}" }.Start();
    }

    /// <summary>The pump for a socket (spread by descriptor, so one connection always parks on the same epoll set).</summary>
    public static SendfilePump For(int socketFd) => s_pumps.Value[socketFd % s_pumps.Value.Length];

    /// <summary>Times any job was parked in this process (tests use it to see that a send really waited on a pump).</summary>
    public static long Parks => Interlocked.Read(ref s_parks);

    /// <summary>Hands a job the caller (or this pump) owns to the pump until its socket is writable. Fails the job if it cannot.</summary>
    public void Park(SendfileJob job)
    {
        lock (_gate)
        {
            if (!job.Stop.IsCancellationRequested)
            {
                _parked.Add(job.Token, job);

                // Re-arm the descriptor (a kept-alive connection parked before); not in the set yet, add it. A closed
                // descriptor leaves epoll sets by itself, and the job holds the socket open while it exists.
                var armed = LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlMod, job.SocketFd, job.EpollEvent) == 0
                    || (Marshal.GetLastPInvokeError() == LinuxErrno.ENOENT
                        && LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlAdd, job.SocketFd, job.EpollEvent) == 0);
                if (armed)
                {
                    Interlocked.Increment(ref s_parks);
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                _parked.Remove(job.Token);
                job.Completion.TrySetException(new IOException($"epoll_ctl failed: errno {errno}"));
                return;
            }
        }

        job.Completion.TrySetException(new OperationCanceledException(job.Stop));
    }

    /// <summary>The server is stopping: a job still parked fails now (one being run finds the stop when it parks again).</summary>
    public void Cancel(SendfileJob job)
    {
        lock (_gate)
        {
            if (!_parked.Remove(job.Token))
            {
                return;
            }
        }

        job.Completion.TrySetException(new OperationCanceledException(job.Stop));
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
                SendfileJob? job;
                lock (_gate)
                {
                    // Absent: it timed out or was cancelled after the kernel queued the event.
                    if (!_parked.Remove(token, out job))
                    {
                        continue;
                    }
                }

                RunTurn(job);
            }

            if (Environment.TickCount64 >= nextScan)
            {
                ExpireOverdue();
                nextScan = Environment.TickCount64 + ScanIntervalMs;
            }
        }
    }

    private void RunTurn(SendfileJob job)
    {
        try
        {
            switch (job.Advance(budget: job.ChunkBytes))
            {
                case SendfileStep.Blocked or SendfileStep.Yielded:
                    Park(job);
                    break;
                case var step:
                    job.Completion.TrySetResult(step);
                    break;
            }
        }
        catch (Exception ex)
        {
            // A dead socket (EPIPE, reset) or a file error: the connection that owns the job decides what it means.
            job.Completion.TrySetException(ex);
        }
    }

    private void ExpireOverdue()
    {
        List<SendfileJob>? overdue = null;
        var now = Environment.TickCount64;
        lock (_gate)
        {
            foreach (var job in _parked.Values)
            {
                if (job.Deadline <= now)
                {
                    (overdue ??= []).Add(job);
                }
            }

            foreach (var job in overdue ?? [])
            {
                _parked.Remove(job.Token);
            }
        }

        foreach (var job in overdue ?? [])
        {
            job.Completion.TrySetException(new OperationCanceledException("the client did not read the response within the send timeout"));
        }
    }
}
