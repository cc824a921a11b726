using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// The libc send calls the direct sendfile path needs (Linux only; epoll is <see cref="LinuxEpollCalls"/>, errno
/// values <see cref="LinuxErrno"/>). They take plain descriptors and return -1 with errno
/// (<see cref="Marshal.GetLastPInvokeError"/>) like libc does, so callers decide per errno: EAGAIN means "wait for
/// writability", EINVAL/ENOSYS mean "this file or kernel cannot sendfile: use the portable path".
/// </summary>
internal static class LinuxSendCalls
{
    /// <summary>Largest count one sendfile call takes (Linux moves at most 0x7ffff000 bytes per call anyway).</summary>
    public const long MaxSendfileCount = 0x7ffff000;

    [DllImport("libc", EntryPoint = "sendfile64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Sendfile(int outFd, int inFd, ref long offset, nuint count);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Send(int fd, ref byte buffer, nuint length, int flags);
}
