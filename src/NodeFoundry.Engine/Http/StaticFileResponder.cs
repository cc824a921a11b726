using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NodeFoundry.Http;

/// <summary>
/// Builds the response for one file: validators, conditional requests (RFC 9110 §13) and ranges
/// (§14). Precedence follows §13.2.2: If-None-Match, else If-Modified-Since (304); then If-Range
/// decides whether Range is honoured; Range only for GET (HEAD gets the 200 head, as the RFC says).
/// </summary>
internal static class StaticFileResponder
{
    public static HttpResponse Build(HttpRequest request, FileInfo file, HttpServerOptions options, DateTimeOffset now, Func<int, HttpResponseHead> newHead, SmallFileCache? cache = null)
    {
        // The resolver's stat of this request: a small file whose size and time still match its cached copy is
        // answered from memory, without opening it.
        if (cache is not null && file.Length <= options.SmallFileBytes
            && cache.TryGet(file.FullName, file.Length, file.LastWriteTimeUtc) is { } cached)
        {
            var lastWriteCached = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            return Respond(request, null, cached, cached.LongLength, lastWriteCached, options, now, newHead, file.Name);
        }

        var stream = new FileStream(file.FullName, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,

            // Let operators replace a kernel while it is being downloaded (the old inode keeps serving).
            Share = FileShare.Read | FileShare.Delete,

            // No FileStream buffer: the bytes go by sendfile or by RandomAccess, never through Read.
            BufferSize = 0,

            // SendPacketsElement insists on an asynchronous handle (TransmitPackets on Windows needs it).
            Options = FileOptions.Asynchronous,
        });
        try
        {
            var length = RandomAccess.GetLength(stream.SafeFileHandle);
            var lastWriteUtc = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            var lastWrite = new DateTimeOffset(lastWriteUtc, TimeSpan.Zero);
            if (cache is not null && length <= options.SmallFileBytes && ReadSmall(stream, length, lastWriteUtc) is { } bytes)
            {
                // The real clock, not the server's TimeProvider: the settle time is about the file system's timestamps.
                cache.Add(file.FullName, bytes, lastWriteUtc, DateTime.UtcNow);
                stream.Dispose();
                return Respond(request, null, bytes, length, lastWrite, options, now, newHead, file.Name);
            }

            var response = Respond(request, stream, null, length, lastWrite, options, now, newHead, file.Name);
            if (response.Parts.Any(p => p.IsFile))
            {
                response.File = stream;
            }
            else
            {
                stream.Dispose();
            }

            return response;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The whole file, if it kept its size and time while being read (else null: serve it the usual way).</summary>
    private static byte[]? ReadSmall(FileStream stream, long length, DateTime lastWriteUtc)
    {
        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(stream.SafeFileHandle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return RandomAccess.GetLength(stream.SafeFileHandle) == length && File.GetLastWriteTimeUtc(stream.SafeFileHandle) == lastWriteUtc ? bytes : null;
    }

    private static HttpResponse Respond(HttpRequest request, FileStream? stream, byte[]? bytes, long length, DateTimeOffset lastWrite, HttpServerOptions options, DateTimeOffset now, Func<int, HttpResponseHead> newHead, string name)
    {
        var etag = EntityTag.ForFile(length, lastWrite);
        var lastModified = HttpDate.ToSeconds(lastWrite);
        var contentType = ContentTypes.ForPath(name);

        if (IsNotModified(request, etag, lastModified))
        {
            var notModified = newHead(304).Add("ETag", etag).Add("Last-Modified", HttpDate.Format(lastModified));
            return new HttpResponse(notModified) { ContentLength = null };
        }

        var ranges = request.Method == "GET" && IfRangeAllows(request, etag, lastModified, now)
            ? RangeRequest.Parse(request.Headers.Get("Range"), length, options.MaxRanges)
            : RangeRequest.Full;

        switch (ranges.Kind)
        {
            case RangeKind.Unsatisfiable:
            {
                var body = Encoding.ASCII.GetBytes("416 Range Not Satisfiable\n");
                var head = newHead(416)
                    .Add("Content-Range", FormattableString.Invariant($"bytes */{length}"))
                    .Add("Content-Type", ContentTypes.PlainText)
                    .Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
                var response = new HttpResponse(head) { ContentLength = body.Length, Reason = "no requested range overlaps the file" };
                response.Parts.Add(ResponsePart.FromMemory(body));
                return response;
            }

            case RangeKind.Partial when ranges.Ranges.Count == 1:
            {
                var range = ranges.Ranges[0];
                var head = Validators(newHead(206), etag, lastModified)
                    .Add("Content-Type", contentType)
                    .Add("Content-Range", range.ToContentRange(length))
                    .Add("Content-Length", range.Length.ToString(CultureInfo.InvariantCulture));
                var response = new HttpResponse(head) { ContentLength = range.Length, HeadOnly = request.Method == "HEAD" };
                AddFilePart(response, stream, bytes, range.Start, range.Length, options);
                return response;
            }

            case RangeKind.Partial:
                return Multipart(ranges.Ranges, stream, bytes, length, etag, lastModified, contentType, options, newHead);

            default:
            {
                var head = Validators(newHead(200), etag, lastModified)
                    .Add("Content-Type", contentType)
                    .Add("Content-Length", length.ToString(CultureInfo.InvariantCulture));
                var response = new HttpResponse(head) { ContentLength = length, HeadOnly = request.Method == "HEAD" };
                AddFilePart(response, stream, bytes, 0, length, options);
                return response;
            }
        }
    }

    /// <summary>multipart/byteranges (RFC 9110 §14.6): each part has its own Content-Type and Content-Range; the length is exact.</summary>
    private static HttpResponse Multipart(IReadOnlyList<ByteRange> ranges, FileStream? stream, byte[]? bytes, long length, string etag, DateTimeOffset lastModified, string contentType, HttpServerOptions options, Func<int, HttpResponseHead> newHead)
    {
        var boundary = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var pieces = new List<(byte[] Header, ByteRange Range)>(ranges.Count);
        long total = 0;
        foreach (var range in ranges)
        {
            var header = Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Type: {contentType}\r\nContent-Range: {range.ToContentRange(length)}\r\n\r\n");
            pieces.Add((header, range));
            total += header.Length + range.Length;
        }

        var closing = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        total += closing.Length;
        var head = Validators(newHead(206), etag, lastModified)
            .Add("Content-Type", $"multipart/byteranges; boundary={boundary}")
            .Add("Content-Length", total.ToString(CultureInfo.InvariantCulture));
        var response = new HttpResponse(head) { ContentLength = total };
        foreach (var (header, range) in pieces)
        {
            response.Parts.Add(ResponsePart.FromMemory(header));
            AddFilePart(response, stream, bytes, range.Start, range.Length, options);
        }

        response.Parts.Add(ResponsePart.FromMemory(closing));
        return response;
    }

    /// <summary>Small pieces are read now and sent with the head in one write; large ones stay file parts for sendfile.</summary>
    private static void AddFilePart(HttpResponse response, FileStream? stream, byte[]? whole, long offset, long count, HttpServerOptions options)
    {
        // HEAD: the head already says how long; reading the bytes would be wasted work.
        if (count <= 0 || response.HeadOnly)
        {
            return;
        }

        if (whole is not null)
        {
            // A small file already in memory (read for this request, or cached).
            response.Parts.Add(ResponsePart.FromMemory(whole.AsMemory((int)offset, (int)count)));
            return;
        }

        ArgumentNullException.ThrowIfNull(stream);

        if (count <= options.SmallFileBytes)
        {
            var bytes = new byte[count];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(stream.SafeFileHandle, bytes.AsSpan(read), offset + read);
                if (n == 0)
                {
                    // The file shrank since we measured it: the promised Content-Length cannot be kept.
                    throw new IOException("the file was truncated while being served");
                }

                read += n;
            }

            response.Parts.Add(ResponsePart.FromMemory(bytes));
            return;
        }

        response.Parts.Add(ResponsePart.FromFile(offset, count));
    }

    private static HttpResponseHead Validators(HttpResponseHead head, string etag, DateTimeOffset lastModified) =>
        head.Add("Accept-Ranges", "bytes").Add("ETag", etag).Add("Last-Modified", HttpDate.Format(lastModified));

    private static bool IsNotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        if (request.Headers.Get("If-None-Match") is { } inm)
        {
            return EntityTag.MatchesAny(inm, etag);
        }

        return request.Headers.Get("If-Modified-Since") is { } ims
            && HttpDate.TryParse(ims, out var since)
            && lastModified <= since;
    }

    /// <summary>
    /// If-Range (RFC 9110 §13.1.5): honour Range only if the client's copy is current. An entity tag must
    /// match strongly; a date must equal Last-Modified exactly and be a strong validator (at least a
    /// second older than now), else the whole file is sent.
    /// </summary>
    private static bool IfRangeAllows(HttpRequest request, string etag, DateTimeOffset lastModified, DateTimeOffset now)
    {
        if (request.Headers.Get("If-Range") is not { } ifRange)
        {
            return true;
        }

        var value = ifRange.Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTag.StrongEquals(value, etag);
        }

        return HttpDate.TryParse(value, out var date) && date == lastModified && lastModified <= now - TimeSpan.FromSeconds(1);
    }
}
