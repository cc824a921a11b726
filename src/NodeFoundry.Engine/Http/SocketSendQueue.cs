using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NodeFoundry.Http;

/// <summary>
/// How many bytes a TCP socket still holds that it has not sent yet (Linux SIOCOUTQNSD). A sendfile that returned
/// has only handed its bytes to the socket: with an autotuned send buffer of several MiB, most of a 1 MiB kernel is
/// still queued when the response "ends". The pacer keeps such a socket paced until this is zero; released early, the
/// rest of the file left at line rate and filled the link's queue (boot storm run 12: 100–190 such sockets at a time,
/// 90,000 drops a storm).
/// </summary>
internal static class SocketSendQueue
{
    private const uint SiocOutqNsd = 0x894B;

    /// <summary>Unsent bytes in <paramref name="socket"/>'s send queue; null when unknown (not Linux, closed, or the call failed).</summary>
    public static long? Unsent(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var added = false;
        try
        {
            // Held across the call: a connection closed meanwhile cannot hand its descriptor number to another socket.
            socket.SafeHandle.DangerousAddRef(ref added);
            return Ioctl((int)socket.SafeHandle.DangerousGetHandle(), SiocOutqNsd, out var unsent) == 0 ? unsent : null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Ioctl(int fd, nuint request, out int value);
}
