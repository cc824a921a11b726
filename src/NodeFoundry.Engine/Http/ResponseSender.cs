using System.Buffers;
using System.Net.Sockets;

namespace NodeFoundry.Http;

/// <summary>
/// Writes a response to a socket. Bodies in memory go out with the head in one send. File parts go by
/// <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/> with <see cref="SendPacketsElement"/>s over
/// the open <see cref="FileStream"/>: on Linux the runtime turns those into sendfile(2) and on Windows into
/// TransmitPackets, so file bytes never pass through user space, ranges included (Socket.SendFile can only
/// send a whole file by name). Each call carries at most <see cref="HttpServerOptions.SendChunkBytes"/> and
/// must finish within <see cref="HttpServerOptions.SendTimeout"/>, or the socket is closed under it.
/// </summary>
internal static class ResponseSender
{
    /// <summary>Sends the head and, if <paramref name="withBody"/>, the body; returns body bytes sent. Throws on a dead or timed-out socket.</summary>
    public static async Task<long> SendAsync(Socket socket, HttpResponse response, bool withBody, HttpServerOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        var head = response.Head.ToArray();
        var parts = withBody ? response.Parts : [];
        if (!parts.Any(p => p.IsFile))
        {
            var total = head.Length + (int)parts.Sum(p => p.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(total);
            try
            {
                head.CopyTo(buffer, 0);
                var offset = head.Length;
                foreach (var part in parts)
                {
                    part.Memory.Span.CopyTo(buffer.AsSpan(offset));
                    offset += part.Memory.Length;
                }

                await SendAllAsync(socket, buffer.AsMemory(0, total), options.SendTimeout, cancellationToken).ConfigureAwait(false);
                var bodyBytes = total - head.Length;
                progress(bodyBytes);
                return bodyBytes;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var file = response.File ?? throw new InvalidOperationException("a file part without an open file");

        // The head is a separate element in front of the file's bytes (send, then sendfile). Corked, it leaves in
        // the same full-size segments as the first file bytes instead of as a small packet of its own (nginx's
        // tcp_nopush); uncorking at the end pushes out the last partial segment at once.
        var corked = SetCork(socket, true);
        try
        {
            return await SendFileResponseAsync(socket, head, parts, file, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (corked)
            {
                SetCork(socket, false);
            }
        }
    }

    private static async Task<long> SendFileResponseAsync(Socket socket, byte[] head, IReadOnlyList<ResponsePart> parts, FileStream file, HttpServerOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        using var args = new SocketAsyncEventArgs();
        var elements = new List<SendPacketsElement> { new(head) };
        long pending = head.Length;
        long sent = 0;
        long batchBody = 0;
        foreach (var part in parts)
        {
            if (!part.IsFile)
            {
                if (part.Memory.Length > 0)
                {
                    elements.Add(new SendPacketsElement(part.Memory));
                    pending += part.Memory.Length;
                    batchBody += part.Memory.Length;
                }

                continue;
            }

            var offset = part.FileOffset;
            var remaining = part.FileLength;
            while (remaining > 0)
            {
                var room = options.SendChunkBytes - pending;
                if (room <= 0)
                {
                    await SendPacketsAsync(socket, args, elements, options.SendTimeout, cancellationToken).ConfigureAwait(false);
                    sent += batchBody;
                    progress(batchBody);
                    elements.Clear();
                    pending = 0;
                    batchBody = 0;
                    continue;
                }

                var count = (int)Math.Min(remaining, room);
                elements.Add(new SendPacketsElement(file, offset, count, endOfPacket: false));
                offset += count;
                remaining -= count;
                pending += count;
                batchBody += count;
            }
        }

        if (elements.Count > 0)
        {
            await SendPacketsAsync(socket, args, elements, options.SendTimeout, cancellationToken).ConfigureAwait(false);
            sent += batchBody;
            progress(batchBody);
        }

        return sent;
    }

    private const int IpProtoTcp = 6;
    private const int TcpCork = 3;
    private static readonly byte[] On = BitConverter.GetBytes(1);
    private static readonly byte[] Off = BitConverter.GetBytes(0);

    /// <summary>Linux TCP_CORK; false where it does not exist or the socket is gone (the send then works uncorked).</summary>
    private static bool SetCork(Socket socket, bool cork)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpCork, cork ? On : Off);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends every byte or throws; the timeout covers the whole buffer (small: a head and a short body).</summary>
    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!buffer.IsEmpty)
        {
            var n = await socket.SendAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            if (n <= 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            buffer = buffer[n..];
        }
    }

    private static async Task SendPacketsAsync(Socket socket, SocketAsyncEventArgs args, List<SendPacketsElement> elements, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnCompleted(object? sender, SocketAsyncEventArgs e) => done.TrySetResult(e.SocketError);
        args.SendPacketsElements = [.. elements];
        args.SendPacketsFlags = TransmitFileOptions.UseDefaultWorkerThread;
        args.Completed += OnCompleted;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);

            // SendPackets takes no token: on timeout or stop, closing the socket is what ends it (and the
            // connection is over anyway).
            using var registration = deadline.Token.Register(static s => ((Socket)s!).Dispose(), socket);
            if (!socket.SendPacketsAsync(args))
            {
                done.TrySetResult(args.SocketError);
            }

            var error = await done.Task.ConfigureAwait(false);
            if (error != SocketError.Success)
            {
                if (deadline.IsCancellationRequested)
                {
                    throw new OperationCanceledException(deadline.Token);
                }

                throw new SocketException((int)error);
            }
        }
        finally
        {
            args.Completed -= OnCompleted;
            args.SendPacketsElements = null;
        }
    }
}
