using System.Runtime.InteropServices;

namespace NodeFoundry.Net;

/// <summary>
/// epoll, for the engines' own event loops (the HTTP sendfile pumps, the TFTP transfer loop): plain descriptors, -1
/// with errno (<see cref="LinuxErrno"/>) like libc. Linux only.
/// </summary>
internal static class LinuxEpollCalls
{
    public const uint EpollIn = 0x001;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollOut = 0x004;
    public const uint EpollOneShot = 1u << 30;
    public const int EpollCloexec = 0x80000;

    /// <summary>
    /// struct epoll_event is packed on x86 and x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere
    /// (16 bytes, data at offset 8). The events are read and written as bytes so one build serves both.
    /// </summary>
    public static readonly int EpollEventSize = IsPackedEpollEvent ? 12 : 16;

    public static readonly int EpollDataOffset = IsPackedEpollEvent ? 4 : 8;

    private static bool IsPackedEpollEvent =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int EpollCtl(int epollFd, int operation, int fd, byte[] epollEvent);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int EpollWait(int epollFd, byte[] events, int maxEvents, int timeoutMs);

    /// <summary>One epoll_event as bytes: the event mask and a 64-bit token in the arch's layout.</summary>
    public static byte[] EpollEvent(uint events, long token)
    {
        var bytes = new byte[EpollEventSize];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), events);
        BitConverter.TryWriteBytes(bytes.AsSpan(EpollDataOffset, 8), token);
        return bytes;
    }
}
