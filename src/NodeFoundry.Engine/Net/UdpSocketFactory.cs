using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeFoundry.Net;

/// <summary>
/// Opens the UDP sockets boot servers listen on, with the platform details in one place: broadcast
/// permission, binding to one interface (Linux SO_BINDTODEVICE), and bind errors that name the cause.
/// </summary>
public static class UdpSocketFactory
{

    /// <summary>Binds a UDP socket; throws <see cref="InvalidOperationException"/> naming service, endpoint and fix on failure.</summary>
    public static Socket Bind(string service, IPEndPoint endpoint, string? interfaceName, bool broadcast, int receiveBufferBytes = 4 << 20)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.EnableBroadcast = broadcast;
            // No SO_REUSEADDR: on Linux it would let a second server bind the same UDP port silently and
            // split the clients between them. A busy port must fail loudly.
            TrySetReceiveBuffer(socket, receiveBufferBytes);
            if (interfaceName is not null)
            {
                BindToDevice(socket, interfaceName);
            }

            socket.Bind(endpoint);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(DescribeBindFailure(service, endpoint, interfaceName, ex), ex);
        }
        catch (InvalidOperationException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"{service} cannot bind {endpoint}: {ex.Message}", ex);
        }
    }

    private static void TrySetReceiveBuffer(Socket socket, int bytes)
    {
        try
        {
            // A storm arrives faster than one loop drains it; a deep kernel queue absorbs the burst.
            socket.ReceiveBufferSize = bytes;
        }
        catch (SocketException)
        {
            // The kernel caps it (net.core.rmem_max); the default still works, only with less headroom.
        }
    }

    private static void BindToDevice(Socket socket, string interfaceName)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"Binding to interface '{interfaceName}' needs Linux SO_BINDTODEVICE; on this platform set the listen address to the interface's own address instead.");
        }

        // The kernel's ENODEV surfaces as an opaque socket error; check first so the message can name the fix.
        if (!System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == interfaceName))
        {
            throw new InvalidOperationException(
                $"No network interface named '{interfaceName}' exists on this machine (or in this network namespace). Check `ip link` and the fleet file's server.interface.");
        }

        var name = Encoding.ASCII.GetBytes(interfaceName + "\0");

        // The managed SetSocketOption rejects option 25 ("Operation not supported"); the raw API passes it through.
        socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoBindToDevice, name);
    }

    private static string DescribeBindFailure(string service, IPEndPoint endpoint, string? interfaceName, SocketException ex)
    {
        var where = interfaceName is null ? endpoint.ToString() : $"{endpoint} on interface {interfaceName}";
        return ex.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse =>
                $"{service} cannot bind {where}: the address is already in use. Stop the other server on that port (dnsmasq, Kea, isc-dhcp-server, another NodeFoundry job) or choose another port.",
            SocketError.AccessDenied =>
                $"{service} cannot bind {where}: permission denied. Ports below 1024 need root (or CAP_NET_BIND_SERVICE), and binding to an interface needs CAP_NET_RAW.",
            SocketError.AddressNotAvailable =>
                $"{service} cannot bind {where}: no interface on this machine has that address. Use an address of this host, or 0.0.0.0 with an interface name.",
            _ => $"{service} cannot bind {where}: {ex.Message} ({ex.SocketErrorCode}).",
        };
    }
}
