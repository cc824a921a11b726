using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// The Linux file path: sendfile(2) called directly on the socket and the open file's descriptor with explicit
/// offsets, looping while it makes progress, the head sent with send(2) in front (corked by the caller). The first
/// turn runs on the caller's thread; when the socket is full the response parks on a <see cref="SocketPump"/>,
/// which continues it on its own thread whenever the socket has room, and hands it back once it is done. Compared
/// with <see cref="PortableFileSender"/>: no lseek/fstat per chunk and no thread-pool hand-off per chunk, which is
/// what nginx's single sendfile loop also avoids (docs/performance.md, "Direct sendfile").
/// Chosen once per process (<see cref="IsSupported"/>); a file or kernel that refuses sendfile (EINVAL, ENOSYS)
/// is finished by <see cref="PortableFileSender"/> from the exact byte reached.
/// </summary>
internal static class DirectFileSender
{
    /// <summary>Linux with a libc that has sendfile64 and a kernel that implements it; probed once.</summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>Sends the head and the parts; reports body bytes to <paramref name="progress"/> (also when it throws).</summary>
    public static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> head, IReadOnlyList<ResponsePart> parts, FileStream file, HttpServerOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // .NET keeps a socket's descriptor non-blocking once it has been used asynchronously; say so explicitly, as
        // sendfile has no per-call "don't wait" flag and must return EAGAIN rather than block this thread.
        if (socket.Blocking)
        {
            socket.Blocking = false;
        }

        SafeHandle socketHandle = socket.SafeHandle;
        SafeHandle fileHandle = file.SafeFileHandle;
        var socketReferenced = false;
        var fileReferenced = false;
        SendfileJob? job = null;
        var step = SendfileStep.Done;
        try
        {
            // Held while the job may use the descriptors, so a socket disposed meanwhile (stop, timeout) is shut down
            // by the runtime but its number is not reused under a parked job.
            socketHandle.DangerousAddRef(ref socketReferenced);
            fileHandle.DangerousAddRef(ref fileReferenced);
            job = new SendfileJob((int)socketHandle.DangerousGetHandle(), (int)fileHandle.DangerousGetHandle(), head, parts, options, cancellationToken);
            step = job.Advance(job.ChunkBytes);
            if (step is SendfileStep.Blocked or SendfileStep.Yielded)
            {
                job.Pump = SocketPump.For(job.SocketFd);
                using (cancellationToken.Register(static s => ((SendfileJob)s!).Pump!.Cancel((SendfileJob)s!), job))
                {
                    job.Pump.Park(job);
                    step = await job.Completion.Task.ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // A client that stopped reading, or the server stopping: reset rather than close gracefully, so the
            // megabytes still queued for a reader that will never take them are freed now instead of lingering in an
            // orphaned socket (the portable path gets the same by disposing the socket under its pending send).
            AbortOnClose(socket);
            throw;
        }
        finally
        {
            if (fileReferenced)
            {
                fileHandle.DangerousRelease();
            }

            if (socketReferenced)
            {
                socketHandle.DangerousRelease();
            }

            if (job is not null)
            {
                progress(job.BodySent);
            }
        }

        if (step == SendfileStep.Unsupported && job is not null)
        {
            var (restHead, restParts) = job.Remaining();
            await PortableFileSender.SendAsync(socket, restHead, restParts, file, options, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AbortOnClose(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to free.
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // Invalid descriptors: a working sendfile says EBADF; a kernel without it says ENOSYS.
            long offset = 0;
            return LinuxSendCalls.Sendfile(-1, -1, ref offset, 0) == -1 && Marshal.GetLastPInvokeError() == LinuxErrno.EBADF;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}
