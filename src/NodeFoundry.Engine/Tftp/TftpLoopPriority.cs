using NodeFoundry.Net;

namespace NodeFoundry.Tftp;

/// <summary>The outcome of raising the loop thread's priority, with the one line an operator reads about it.</summary>
public sealed record TftpLoopPriority(TftpLoopPriorityOutcome Outcome, int Nice, string Message)
{
    internal static TftpLoopPriority NotStarted { get; } = new(TftpLoopPriorityOutcome.NotRequested, 0, "transfer loop not started");

    /// <summary>Gives the calling thread nice value <paramref name="nice"/> (Linux only; 0 = leave it alone).</summary>
    internal static TftpLoopPriority ApplyToCurrentThread(int nice) =>
        ApplyToCurrentThread(nice, OperatingSystem.IsLinux() ? SetCurrentThreadNice : null);

    /// <summary>
    /// The result handling, with the system call as a seam: <paramref name="setCurrentThreadNice"/> returns 0 or an
    /// errno (-1: no thread id); null means the OS has no per-thread nice. Never throws: a server that may not raise
    /// its priority runs exactly as it did before the option existed.
    /// </summary>
    internal static TftpLoopPriority ApplyToCurrentThread(int nice, Func<int, int>? setCurrentThreadNice)
    {
        if (nice == 0)
        {
            return new(TftpLoopPriorityOutcome.NotRequested, 0, "transfer loop at the default priority (tftp.loopNice 0)");
        }

        if (setCurrentThreadNice is null)
        {
            return new(TftpLoopPriorityOutcome.Unsupported, 0, $"transfer loop at the default priority: tftp.loopNice {nice} needs Linux");
        }

        var errno = setCurrentThreadNice(nice);
        return errno switch
        {
            0 => new(TftpLoopPriorityOutcome.Raised, nice, $"transfer loop thread at nice {nice}"),
            LinuxErrno.EPERM or LinuxErrno.EACCES => new(TftpLoopPriorityOutcome.NotPermitted, 0,
                $"transfer loop at the default priority: nice {nice} not permitted (run as root or grant CAP_SYS_NICE, or set tftp.loopNice: 0 to silence this)"),
            -1 => new(TftpLoopPriorityOutcome.Unsupported, 0, $"transfer loop at the default priority: no thread id for nice {nice}"),
            _ => new(TftpLoopPriorityOutcome.Failed, 0, $"transfer loop at the default priority: setpriority({nice}) failed with errno {errno}"),
        };
    }

    private static int SetCurrentThreadNice(int nice)
    {
        try
        {
            var tid = LinuxThreadCalls.CurrentThreadId();
            if (tid <= 0)
            {
                return -1;
            }

            // A nice value is inherited by every thread this one creates, and the runtime may create a thread-pool
            // worker from whichever thread queues work (the loop publishes events). Reset-on-fork keeps the raised
            // priority to this thread; unprivileged threads may set it, and if it fails the nice still applies.
            var schedParam = 0;
            _ = LinuxThreadCalls.SchedSetScheduler(tid, LinuxThreadCalls.SchedOtherResetOnFork, ref schedParam);
            return LinuxThreadCalls.SetPriority(LinuxThreadCalls.PrioProcess, (uint)tid, nice) == 0
                ? 0
                : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }
}
