using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// Creates sockets inside a test-owned network namespace from this (root-namespace) test process: a
/// dedicated thread joins the namespace with setns(2), opens and binds the socket, and ends. A socket
/// keeps the namespace it was made in, so the test drives in-namespace traffic with in-process clients.
/// </summary>
public static partial class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    public static Socket BindUdp(string ns, IPEndPoint endpoint)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(endpoint);
            }
            catch (Exception ex)
            {
                socket?.Dispose();
                socket = null;
                failure = ex;
            }
        });

        // The thread ends inside the namespace; it is never reused, so nothing else runs there.
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"cannot bind {endpoint} in namespace {ns}", failure);
    }

    /// <summary>An unconnected TCP socket made inside <paramref name="ns"/> (connect it from any thread: it keeps its namespace).</summary>
    public static Socket CreateTcp(string ns)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"cannot create a TCP socket in namespace {ns}", failure);
    }
}
