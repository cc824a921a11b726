using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Host;

/// <summary>
/// An HTTP client that connects from one local address, as a booting node does from its lease: the
/// server sees the node's address, and the boot timeline can join the request with DHCP.
/// </summary>
internal sealed class DemoHttpClient : IDisposable
{
    private readonly HttpClient _client;

    public DemoHttpClient(IPAddress local, string userAgent)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancel).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
    }

    /// <summary>The status and body (status 0 and the reason in Error when the request itself failed).</summary>
    public async Task<(int Status, byte[] Body, string? Error)> SendAsync(HttpMethod method, string url, CancellationToken cancel)
    {
        try
        {
            using var request = new HttpRequestMessage(method, url);
            using var response = await _client.SendAsync(request, cancel).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            return ((int)response.StatusCode, body, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
        {
            return (0, [], ex.Message);
        }
    }

    public void Dispose() => _client.Dispose();
}
