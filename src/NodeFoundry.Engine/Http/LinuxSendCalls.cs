using System.Runtime.InteropServices;

namespace NodeFoundry.Http;

/// <summary>
/// The few libc calls the direct sendfile path needs (Linux only; nothing here is called elsewhere). They take
/// plain descriptors and return -1 with errno (<see cref="Marshal.GetLastPInvokeError"/>) like libc does, so
/// callers decide per errno: EAGAIN means "wait for writability", EINVAL/ENOSYS mean "this file or kernel cannot
/// sendfile: use the portable path".
/// </summary>
internal static class LinuxSendCalls
{
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int EPIPE = 32;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;
    public const int ECONNRESET = 104;
    public const int ENOTCONN = 107;
    public const int ENOENT = 2;

    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;

    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
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

    /// <summary>Largest count one sendfile call takes (Linux moves at most 0x7ffff000 bytes per call anyway).</summary>
    public const long MaxSendfileCount = 0x7ffff000;

    [DllImport("libc", EntryPoint = "sendfile64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Sendfile(int outFd, int inFd, ref long offset, nuint count);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Send(int fd, ref byte buffer, nuint length, int flags);

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
