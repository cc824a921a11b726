using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// One UDP socket connected to one BMC, and the bounded request/answer loop every IPMI exchange uses: send, wait up
/// to the timeout for a datagram the caller accepts (others — late answers to earlier attempts, forgeries — are
/// dropped), resend up to the retry count, then fail with <see cref="BmcFailure.Timeout"/>.
/// </summary>
internal sealed class IpmiUdpChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[2048];
    private readonly BmcEndpoint _endpoint;
    private readonly IpmiConnectOptions _options;

    private IpmiUdpChannel(Socket socket, BmcEndpoint endpoint, IpmiConnectOptions options)
    {
        _socket = socket;
        _endpoint = endpoint;
        _options = options;
    }

    public static async Task<IpmiUdpChannel> ConnectAsync(BmcEndpoint endpoint, IpmiConnectOptions options, CancellationToken ct)
    {
        IPAddress address;
        if (!IPAddress.TryParse(endpoint.Host, out var parsed))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, ct).ConfigureAwait(false);
                address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            }
            catch (Exception ex) when (ex is SocketException or InvalidOperationException)
            {
                throw new BmcException(endpoint, BmcFailure.Transport, $"cannot resolve host name '{endpoint.Host}'", ex);
            }
        }
        else
        {
            address = parsed;
        }

        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Connected: the kernel drops datagrams from anyone but the BMC, and reports ICMP unreachable.
            await socket.ConnectAsync(new IPEndPoint(address, endpoint.EffectivePort), ct).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new BmcException(endpoint, BmcFailure.Transport, $"cannot reach the BMC: {ex.SocketErrorCode}", ex);
        }

        return new IpmiUdpChannel(socket, endpoint, options);
    }

    /// <summary>
    /// Sends <paramref name="datagramForAttempt"/>(attempt) and waits for a datagram <paramref name="accept"/> turns
    /// into a value; at most Retries + 1 attempts of Timeout each.
    /// </summary>
    public async Task<T> ExchangeAsync<T>(string what, Func<int, byte[]> datagramForAttempt, Func<byte[], T?> accept, CancellationToken ct, int? attemptLimit = null)
        where T : class
    {
        var attempts = attemptLimit ?? _options.Retries + 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                _options.Log?.Invoke($"{_endpoint}: no answer to {what} within {_options.Timeout.TotalMilliseconds:0} ms, resending ({attempt}/{_options.Retries})");
            }

            await SendAsync(datagramForAttempt(attempt), ct).ConfigureAwait(false);
            var answer = await ReceiveAcceptedAsync(accept, ct).ConfigureAwait(false);
            if (answer is not null)
            {
                return answer;
            }
        }

        throw new BmcException(_endpoint, BmcFailure.Timeout, $"no answer to {what} after {attempts} attempts of {_options.Timeout.TotalMilliseconds:0} ms");
    }

    /// <summary>Sends one datagram and forgets it (a courtesy RAKP 3 error).</summary>
    public async Task SendAsync(byte[] datagram, CancellationToken ct)
    {
        try
        {
            await _socket.SendAsync(datagram, SocketFlags.None, ct).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw Transport(ex);
        }
    }

    private async Task<T?> ReceiveAcceptedAsync<T>(Func<byte[], T?> accept, CancellationToken ct)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        // Bounded: each pass consumes one datagram, and the timeout ends the wait however many arrive.
        for (var received = 0; received < 256; received++)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException ex)
            {
                throw Transport(ex);
            }

            var answer = accept(_buffer.AsSpan(0, length).ToArray());
            if (answer is not null)
            {
                return answer;
            }
        }

        return null;
    }

    private BmcException Transport(SocketException ex) => ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
        ? new BmcException(_endpoint, BmcFailure.Transport, "nothing listens on the BMC's IPMI port (ICMP port unreachable)", ex)
        : new BmcException(_endpoint, BmcFailure.Transport, $"network error talking to the BMC: {ex.SocketErrorCode}", ex);

    public void Dispose() => _socket.Dispose();
}
