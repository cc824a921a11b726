using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// One send(2) with MSG_DONTWAIT on Linux, before the runtime's asynchronous send: a script or an error page almost
/// always fits in the socket's buffer at once, and the asynchronous send would first set up a deadline (a linked
/// token source and a timer) for a wait that does not happen. What this call did not take (a full buffer, an
/// error) is left to the asynchronous send, which waits, times out and reports errors as before.
/// </summary>
internal static class ImmediateSend
{
    /// <summary>Bytes of <paramref name="bytes"/> the kernel took now; 0 when it took none, on an error, or off Linux.</summary>
    public static int Try(Socket socket, ReadOnlySpan<byte> bytes)
    {
        if (!DirectFileSender.IsSupported || bytes.IsEmpty)
        {
            return 0;
        }

        var added = false;
        try
        {
            // Held across the call: a connection closed meanwhile cannot hand its descriptor number to another socket.
            socket.SafeHandle.DangerousAddRef(ref added);
            var n = LinuxSendCalls.Send((int)socket.SafeHandle.DangerousGetHandle(), ref MemoryMarshal.GetReference(bytes), (nuint)bytes.Length, LinuxMessageFlags.DontWait | LinuxMessageFlags.NoSignal);
            return n > 0 ? (int)n : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }
}
