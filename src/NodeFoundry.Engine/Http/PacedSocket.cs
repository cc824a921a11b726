using System.Net.Sockets;

using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// One connection's file body in flight, as <see cref="EgressPacer"/> tracks it: the socket and the pacing rate last
/// applied to it. The pacer's timer and the connection that ends the response both touch the socket, so every change
/// happens under this object's lock and none after <see cref="Release"/> (a rate set after the clear would leave
/// an idle keep-alive connection paced into its next response).
/// </summary>
internal sealed class PacedSocket
{
    private static readonly byte[] Unlimited = BitConverter.GetBytes(ulong.MaxValue);

    private readonly Socket _socket;
    private readonly object _gate = new();
    private bool _released;

    public PacedSocket(Socket socket) => _socket = socket;

    /// <summary>The rate last set, bytes/s; 0 = none yet. Read by the timer without the lock (a stale read costs one extra set).</summary>
    public long AppliedRate { get; private set; }

    /// <summary>Sets the socket's SO_MAX_PACING_RATE; false if released or the socket is gone (the send then runs unpaced).</summary>
    public bool Apply(long bytesPerSecond) => Apply(bytesPerSecond, out _);

    /// <summary>
    /// Sets the rate and says by how much the applied rate changed (the pacer's running sum of rates is kept exact by
    /// these changes and <see cref="Release"/>'s result, whichever thread gets the lock first).
    /// </summary>
    public bool Apply(long bytesPerSecond, out long change)
    {
        lock (_gate)
        {
            change = 0;
            if (_released)
            {
                return false;
            }

            if (!Set(BitConverter.GetBytes((ulong)bytesPerSecond)))
            {
                return false;
            }

            change = bytesPerSecond - AppliedRate;
            AppliedRate = bytesPerSecond;
            return true;
        }
    }

    /// <summary>
    /// Clears the pacing (the kernel's "unlimited") once the body has gone; no rate is set after this. Returns the rate
    /// that was applied until now (0 if none, or if already released), for the pacer's sum.
    /// </summary>
    public long Release()
    {
        lock (_gate)
        {
            if (_released)
            {
                return 0;
            }

            _released = true;
            if (AppliedRate > 0)
            {
                Set(Unlimited);
            }

            return AppliedRate;
        }
    }

    private bool Set(byte[] value)
    {
        try
        {
            _socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoMaxPacingRate, value);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
