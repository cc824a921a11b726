using System.Net.Sockets;
using System.Runtime.InteropServices;

using NodeFoundry.Net;

namespace NodeFoundry.Http;

/// <summary>
/// One connection paced by <see cref="EgressPacer"/>: the socket, the pacing rate last applied to it, and whether its
/// file body is still being handed over (active) or has been handed over and is leaving the send queue (draining).
/// The pacer's timer and the connection both touch it, so every change happens under this object's lock and none
/// after <see cref="Retire"/>.
/// A retired socket keeps its last rate in the kernel. It used to be cleared to "unlimited", and that cost seconds:
/// the congestion control then raised the socket's pacing rate on the next ACKs, the kernel built 64 KB segments at
/// that rate, and when the connection's next body was paced again, the kernel charged the segment in flight at the new
/// rate: 64 KB at 16 KB/s is a 4 s gap before the next one (SO_MAX_PACING_RATE cannot pull back a departure time
/// already set, and nothing is in flight to bring the ACK that would). An idle connection at its old rate sends
/// nothing, and its next body is paced afresh from a rate near its share (boot storm run 13).
/// </summary>
internal sealed class PacedSocket
{
    private readonly object _gate = new();
    private bool _retired;

    public PacedSocket(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>The rate last set, bytes/s; 0 = none yet. Read by the timer without the lock (a stale read costs one extra set).</summary>
    public long AppliedRate { get; private set; }

    /// <summary>The body has been handed to the socket; the pacing stays until the send queue is empty.</summary>
    public bool Draining { get; private set; }

    /// <summary>Sets the socket's SO_MAX_PACING_RATE; false if retired or the socket is gone (the send then runs unpaced).</summary>
    public bool Apply(long bytesPerSecond) => Apply(bytesPerSecond, out _);

    /// <summary>
    /// Sets the rate and says by how much the applied rate changed (the pacer's running sum of rates is kept exact by
    /// these changes and <see cref="Retire"/>'s result, whichever thread gets the lock first).
    /// </summary>
    public bool Apply(long bytesPerSecond, out long change)
    {
        lock (_gate)
        {
            change = 0;
            if (_retired)
            {
                return false;
            }

            if (!Set((ulong)bytesPerSecond))
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
    /// retired (the caller paces it afresh).
    /// </summary>
    public bool Reactivate()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }

            Draining = false;
            return true;
        }
    }

    /// <summary>
    /// Retires the socket if it is still draining (not reactivated meanwhile); returns the rate it gave back, or null
    /// if it was active again or already retired.
    /// </summary>
    public long? RetireIfDraining()
    {
        lock (_gate)
        {
            return Draining && !_retired ? Retire() : null;
        }
    }

    /// <summary>
    /// Takes the socket out of the budget: no rate is set after this, and the kernel keeps the last one (see the type's
    /// remarks). Returns the rate that was applied until now (0 if none, or if already retired), for the pacer's sum.
    /// </summary>
    public long Retire()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return 0;
            }

            _retired = true;
            return AppliedRate;
        }
    }

    private bool Set(ulong bytesPerSecond)
    {
        // The kernel reads a native-endian 64-bit value (4 bytes are read as the low half).
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        MemoryMarshal.Write(value, in bytesPerSecond);
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
