using System.Runtime.InteropServices;

namespace NodeFoundry.Net;

/// <summary>
/// Per-thread scheduling priority on Linux: the nice value is a per-thread attribute there, and
/// <c>setpriority(PRIO_PROCESS, tid, n)</c> with a thread id changes that thread only (man 2 setpriority, "BUGS").
/// </summary>
internal static class LinuxThreadCalls
{
    public const int PrioProcess = 0;

    /// <summary>SCHED_OTHER with SCHED_RESET_ON_FORK: threads this thread creates start at nice 0, not at its nice.</summary>
    public const int SchedOtherResetOnFork = 0x40000000;

    // SYS_gettid, for a libc older than glibc 2.30 (no gettid wrapper).
    private const long SysGettidX64 = 186;
    private const long SysGettidArm64 = 178;

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int SetPriority(int which, uint who, int priority);

    /// <summary>Sets a thread's policy; <paramref name="priority"/> is struct sched_param's only field (0 for SCHED_OTHER).</summary>
    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int SchedSetScheduler(int tid, int policy, ref int priority);

    /// <summary>The calling thread's kernel id; 0 where it cannot be had (an unknown architecture without libc gettid).</summary>
    public static int CurrentThreadId()
    {
        try
        {
            return LibcGettid();
        }
        catch (EntryPointNotFoundException)
        {
            var number = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => SysGettidX64,
                Architecture.Arm64 => SysGettidArm64,
                _ => 0,
            };
            return number == 0 ? 0 : (int)Syscall(number);
        }
    }

    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int LibcGettid();

    [DllImport("libc", EntryPoint = "syscall")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Syscall(long number);
}
