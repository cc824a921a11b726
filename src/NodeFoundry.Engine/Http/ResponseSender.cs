using System.Buffers;
using System.Net.Sockets;

using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// Writes a response to a socket. Bodies in memory go out with the head in one send (on Linux tried at once with
/// <see cref="ImmediateSend"/>, the usual case for a script). Responses with file parts go
/// corked by <see cref="DirectFileSender"/> (Linux: sendfile(2) called directly) or else by
/// <see cref="PortableFileSender"/> (SendPacketsAsync); the choice is made once per process, and
/// <see cref="HttpServerOptions.DirectSendfile"/> can turn the direct path off. With an egress budget, a file body
/// goes out paced at its share (<see cref="EgressPacer"/>).
/// </summary>
internal static class ResponseSender
{
    /// <summary>Sends the head and, if <paramref name="withBody"/>, the body; returns body bytes sent. Throws on a dead or timed-out socket.</summary>
    public static async Task<long> SendAsync(Socket socket, HttpResponse response, bool withBody, HttpServerOptions options, EgressPacer? pacer, Action<long> progress, CancellationToken cancellationToken)
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

                var taken = options.DirectSendfile ? ImmediateSend.Try(socket, buffer.AsSpan(0, total)) : 0;
                if (taken < total)
                {
                    await SendAllAsync(socket, buffer.AsMemory(taken, total - taken), options.SendTimeout, cancellationToken).ConfigureAwait(false);
                }

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
        var paced = pacer?.Begin(socket);
        try
        {
            long sent = 0;
            void Count(long n)
            {
                sent += n;
                progress(n);
            }

            if (options.DirectSendfile && DirectFileSender.IsSupported)
            {
                await DirectFileSender.SendAsync(socket, head, parts, file, options, Count, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PortableFileSender.SendAsync(socket, head, parts, file, options, Count, cancellationToken).ConfigureAwait(false);
            }

            return sent;
        }
        finally
        {
            if (paced is not null)
            {
                pacer!.End(paced);
            }

            if (corked)
            {
                SetCork(socket, false);
            }
        }
    }

    private const int IpProtoTcp = 6;
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
            socket.SetRawSocketOption(IpProtoTcp, LinuxSocketOptions.TcpCork, cork ? On : Off);
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
}
