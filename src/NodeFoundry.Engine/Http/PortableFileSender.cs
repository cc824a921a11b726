using System.Net.Sockets;

namespace NodeFoundry.Http;

/// <summary>
/// The file path for every platform: <see cref="SendPacketsElement"/>s over the open <see cref="FileStream"/> sent
/// with <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/>. The runtime turns them into sendfile(2) on
/// Linux and TransmitPackets on Windows, so file bytes never pass through user space, ranges included
/// (Socket.SendFile can only send a whole file by name). Each call carries at most
/// <see cref="HttpServerOptions.SendChunkBytes"/> and must finish within <see cref="HttpServerOptions.SendTimeout"/>,
/// or the socket is closed under it. On Linux <see cref="DirectFileSender"/> is used instead when it works.
/// </summary>
internal static class PortableFileSender
{
    /// <summary>Sends <paramref name="head"/> (may be empty) and the parts; reports body bytes to <paramref name="progress"/> per chunk.</summary>
    public static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> head, IReadOnlyList<ResponsePart> parts, FileStream file, HttpServerOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        using var args = new SocketAsyncEventArgs();
        var elements = new List<SendPacketsElement>();
        if (!head.IsEmpty)
        {
            elements.Add(new SendPacketsElement(head));
        }

        long pending = head.Length;
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
            progress(batchBody);
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
