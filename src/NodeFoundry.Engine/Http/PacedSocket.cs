using System.Net.Sockets;

using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// One connection paced by <see cref="EgressPacer"/>: the socket, the pacing rate last applied to it, and whether its
/// file body is still being handed over (active) or has been handed over and is leaving the send queue (draining).
/// The pacer's timer and the connection both touch it, so every change happens under this object's lock and none
/// after <see cref="Release"/> (a rate set after the clear would leave an idle keep-alive connection paced into its
/// next response).
/// </summary>
internal sealed class PacedSocket
{
    private static readonly byte[] Unlimited = BitConverter.GetBytes(ulong.MaxValue);

    private readonly object _gate = new();
    private bool _released;

    public PacedSocket(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>The rate last set, bytes/s; 0 = none yet. Read by the timer without the lock (a stale read costs one extra set).</summary>
    public long AppliedRate { get; private set; }

    /// <summary>The body has been handed to the socket; the pacing stays until the send queue is empty.</summary>
    public bool Draining { get; private set; }

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

    /// <summary>Marks the body as handed over: from now on only the send queue keeps this socket in the budget.</summary>
    public void StartDraining()
    {
        lock (_gate)
        {
            Draining = true;
        }
    }

    /// <summary>
    /// A new body on the same connection while the last one drains: the socket stays paced, active again. False once
    /// released (the caller paces it afresh).
    /// </summary>
    public bool Reactivate()
    {
        lock (_gate)
        {
            if (_released)
            {
                return false;
            }

            Draining = false;
            return true;
        }
    }

    /// <summary>
    /// Releases the socket if it is still draining (not reactivated meanwhile); returns the rate it gave back, or null
    /// if it was active again or already released.
    /// </summary>
    public long? ReleaseIfDraining()
    {
        lock (_gate)
        {
            return Draining && !_released ? Release() : null;
        }
    }

    /// <summary>
    /// Clears the pacing (the kernel's "unlimited"); no rate is set after this. Returns the rate that was applied until
    /// now (0 if none, or if already released), for the pacer's sum.
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
            Socket.SetRawSocketOption(LinuxSocketOptions.SolSocket, LinuxSocketOptions.SoMaxPacingRate, value);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
