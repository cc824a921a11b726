using System.Runtime.InteropServices;

namespace NodeFoundry.Net;

/// <summary>
/// The libc receive calls of the TFTP epoll loop and the HTTP direct receive path (epoll itself is
/// <see cref="LinuxEpollCalls"/>). They take plain descriptors and native pointers (the engine builds without unsafe
/// code: the buffers they point into are pinned arrays) and return -1 with errno
/// (<see cref="Marshal.GetLastPInvokeError"/>) like libc does.
/// </summary>
internal static class LinuxReceiveCalls
{
    public const int EfdNonBlock = 0x800;
    public const int EfdCloexec = 0x80000;

    /// <summary>IPPROTO_IP and IP_PKTINFO: the control message that carries the address a datagram was sent to.</summary>
    public const int IpProtoIp = 0;
    public const int IpPktInfo = 8;

    /// <summary>AF_INET as the kernel writes it into sockaddr_in.sin_family.</summary>
    public const ushort AfInet = 2;

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Recv(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint RecvMsg(int fd, nint message, int flags);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int EventFd(uint initialValue, int flags);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Write(int fd, ref long value, nint count);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Read(int fd, out long value, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Close(int fd);
}
