using System.Net;
using System.Net.Sockets;

namespace NodeFoundry.Net;

/// <summary>Opens listening TCP sockets (the HTTP server's) with bind errors that name the cause and the fix.</summary>
public static class TcpSocketFactory
{
    /// <summary>Binds and listens; throws <see cref="InvalidOperationException"/> naming service, endpoint and fix on failure.</summary>
    public static Socket Listen(string service, IPEndPoint endpoint, int backlog)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR on a TCP listener only lets a restarted server rebind while old connections sit in
            // TIME_WAIT; unlike UDP it never lets two listeners share the port on Linux. .NET sets it on Unix.
            socket.Bind(endpoint);
            socket.Listen(backlog);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(Describe(service, endpoint, ex), ex);
        }
    }

    private static string Describe(string service, IPEndPoint endpoint, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse =>
            $"{service} cannot listen on {endpoint}: the address is already in use. Stop the other web server on that port (nginx, apache2, lighttpd, another NodeFoundry job) or choose another port (server.httpPort, --http-port).",
        SocketError.AccessDenied =>
            $"{service} cannot listen on {endpoint}: permission denied. Ports below 1024 need root (or CAP_NET_BIND_SERVICE); or choose a port above 1023 (server.httpPort, --http-port).",
        SocketError.AddressNotAvailable =>
            $"{service} cannot listen on {endpoint}: no interface on this machine has that address. Use an address of this host (server.address, --listen), or 0.0.0.0.",
        _ => $"{service} cannot listen on {endpoint}: {ex.Message} ({ex.SocketErrorCode}).",
    };
}
