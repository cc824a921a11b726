using System.Net.Sockets;

namespace NodeFoundry.Tftp;

/// <summary>
/// TFTP's packets queue ahead of bulk traffic on the server's own egress. A lock-step ROM has one packet in flight
/// and fails after ~4 s without the next; on a link that HTTP keeps full, a drop-tail queue can drop every copy of a
/// block for seconds (the storm bench's capture effect). Linux's priority-banded queues (pfifo_fast, this machine's
/// default qdisc, and prio) serve a packet by its socket priority: TC_PRIO_INTERACTIVE (6) is band 0, ahead of the
/// default band that bulk TCP uses. Only the local queueing changes; the packet on the wire (DSCP) does not.
/// Linux only; elsewhere, or if the kernel refuses, the socket works as before.
/// </summary>
internal static class TftpSocketPriority
{
    private const int SolSocket = 1;
    private const int SoPriority = 12;

    /// <summary>TC_PRIO_INTERACTIVE: pfifo_fast's and prio's band 0.</summary>
    public const int Interactive = 6;

    /// <summary>Sets SO_PRIORITY on a TFTP socket; false where the platform has no such option or refused it.</summary>
    public static bool TryApply(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            socket.SetRawSocketOption(SolSocket, SoPriority, BitConverter.GetBytes(Interactive));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The socket's SO_PRIORITY (Linux), for tests and diagnostics; null elsewhere.</summary>
    public static int? Read(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var value = new byte[4];
        socket.GetRawSocketOption(SolSocket, SoPriority, value);
        return BitConverter.ToInt32(value);
    }
}
