using System.Diagnostics;
using System.Net;
using System.Text;

namespace NodeFoundry.BootPath;

/// <summary>What one HTTP request of the tester got: status (0 when none), headers' length, a bounded body, or the error.</summary>
public sealed record HttpProbeResult(int Status, long? ContentLength, byte[] Body, string? Error, TimeSpan Duration)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>For a detail line: "200, 6000 bytes", "404", or the connection error.</summary>
    public string Describe() => Error ?? (ContentLength is { } length ? FormattableString.Invariant($"{Status}, {length} bytes") : FormattableString.Invariant($"{Status}"));
}

/// <summary>
/// The tester's HTTP client: GET with a bounded body, HEAD, a per-request timeout, a client's User-Agent,
/// and connections opened where the options say (a namespace in lab tests). Never throws for the network.
/// </summary>
internal sealed class BootPathHttp : IDisposable
{
    /// <summary>Scripts and answer files are small; a body beyond this is cut (the check reads its start).</summary>
    private const int MaxBody = 1 << 20;

    private readonly HttpClient _client;

    public BootPathHttp(BootPathOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 3,
            UseProxy = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (options.ConnectTcp is { } connect)
        {
            handler.ConnectCallback = (context, cancel) => connect(context.DnsEndPoint, cancel);
        }

        _client = new HttpClient(handler) { Timeout = options.Timeout };
    }

    public Task<HttpProbeResult> GetAsync(Uri url, string userAgent, CancellationToken cancel) => SendAsync(HttpMethod.Get, url, userAgent, cancel);

    public Task<HttpProbeResult> HeadAsync(Uri url, string userAgent, CancellationToken cancel) => SendAsync(HttpMethod.Head, url, userAgent, cancel);

    private async Task<HttpProbeResult> SendAsync(HttpMethod method, Uri url, string userAgent, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            var body = Array.Empty<byte>();
            if (method == HttpMethod.Get)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
                using var copy = new MemoryStream();
                var buffer = new byte[16384];
                int read;
                while (copy.Length < MaxBody && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, MaxBody - copy.Length)), cancel).ConfigureAwait(false)) > 0)
                {
                    copy.Write(buffer, 0, read);
                }

                body = copy.ToArray();
            }

            return new HttpProbeResult((int)response.StatusCode, response.Content.Headers.ContentLength, body, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or UriFormatException)
        {
            cancel.ThrowIfCancellationRequested();
            var why = ex is TaskCanceledException ? $"no answer within {_client.Timeout.TotalSeconds:0.#} s" : ex.Message;
            return new HttpProbeResult(0, null, [], $"{method} {url} failed: {why}", Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _client.Dispose();
}
