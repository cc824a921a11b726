using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeFoundry.Http;
using NodeFoundry.Net;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tftp;

/// <summary>
/// The Linux receive path of the TFTP server: one epoll set holding the request socket and every transfer socket,
/// waited on by the transfer loop itself, which then reads the ready sockets with non-blocking <c>recvmsg</c> into
/// one reused buffer. An ACK therefore needs one scheduling hop (kernel → transfer loop) instead of three (the
/// runtime's socket-engine thread → a thread-pool worker shared with every HTTP connection → the loop): in a boot
/// storm each of those hops waited on an oversubscribed run queue, and the retransmit timers fired hundreds of
/// milliseconds late.
/// <para>
/// Each registration's epoll data is its channel id, never its descriptor: the kernel reuses a closed descriptor at
/// once, so an event reported for a transfer that ended earlier in the same turn must not read the socket of the
/// transfer that now has the same number. A socket leaves the set before it is closed (<see cref="Remove"/>).
/// </para>
/// <para>
/// Not thread-safe except <see cref="Wake"/>: registration, waiting and reading all happen on the transfer loop,
/// which is also the only thread that opens and closes transfer channels.
/// </para>
/// </summary>
internal sealed class EpollTftpReceiver : IDisposable
{
    /// <summary>The epoll data of the wake-up eventfd; channel ids are 0 (the request port) and up.</summary>
    private const long WakeToken = -1;

    private const int MaxEvents = 256;

    // One pinned block holds the datagram, the sender's address, the control messages, the iovec and the msghdr,
    // laid out once: a receive allocates nothing. Offsets for LP64 Linux (x86-64, arm64); other ABIs use the
    // portable path (TryCreate).
    private const int DataBytes = 65536;
    private const int NameOffset = DataBytes;
    private const int NameBytes = 32;
    private const int ControlOffset = NameOffset + NameBytes;
    private const int ControlBytes = 64;
    private const int IovecOffset = ControlOffset + ControlBytes;
    private const int MsgHdrOffset = IovecOffset + 16;
    private const int BlockBytes = MsgHdrOffset + 56;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte[] _events = new byte[MaxEvents * LinuxEpollCalls.EpollEventSize];
    private readonly byte[] _block = GC.AllocateArray<byte>(BlockBytes, pinned: true);
    private readonly nint _blockAddress;
    private readonly Dictionary<long, Registration> _sockets = [];
    private IPAddress? _lastLocalAddress;
    private uint _lastLocalBits;
    private int _disposed;

    private EpollTftpReceiver(int epoll, int wake)
    {
        _epoll = epoll;
        _wake = wake;
        _blockAddress = Marshal.UnsafeAddrOfPinnedArrayElement(_block, 0);
        var block = _block.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(block[IovecOffset..], _blockAddress);
        BinaryPrimitives.WriteInt64LittleEndian(block[(IovecOffset + 8)..], DataBytes);
        BinaryPrimitives.WriteInt64LittleEndian(block[MsgHdrOffset..], _blockAddress + NameOffset);
        BinaryPrimitives.WriteInt64LittleEndian(block[(MsgHdrOffset + 16)..], _blockAddress + IovecOffset);
        BinaryPrimitives.WriteInt64LittleEndian(block[(MsgHdrOffset + 24)..], 1);
        BinaryPrimitives.WriteInt64LittleEndian(block[(MsgHdrOffset + 32)..], _blockAddress + ControlOffset);
    }

    /// <summary>Channels registered now (the request port included); tests use it to see that sockets left the set.</summary>
    public int Count => _sockets.Count;

    /// <summary>
    /// An epoll receiver with <paramref name="requestSocket"/> registered as channel 0, or null with the reason when
    /// this platform cannot have one (not Linux, not a 64-bit little-endian process, not IPv4, or a failing
    /// epoll_create1/eventfd/epoll_ctl): the server then keeps the runtime's asynchronous receives.
    /// </summary>
    public static EpollTftpReceiver? TryCreate(Socket requestSocket, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(requestSocket);
        if (!OperatingSystem.IsLinux())
        {
            reason = "not Linux";
            return null;
        }

        if (!Environment.Is64BitProcess || !BitConverter.IsLittleEndian || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            reason = $"msghdr layout of {RuntimeInformation.ProcessArchitecture} not known";
            return null;
        }

        if (requestSocket.AddressFamily != AddressFamily.InterNetwork)
        {
            reason = "the request socket is not IPv4";
            return null;
        }

        var epoll = LinuxEpollCalls.EpollCreate(LinuxEpollCalls.EpollCloexec);
        if (epoll < 0)
        {
            reason = $"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}";
            return null;
        }

        var wake = LinuxReceiveCalls.EventFd(0, LinuxReceiveCalls.EfdNonBlock | LinuxReceiveCalls.EfdCloexec);
        if (wake < 0)
        {
            reason = $"eventfd failed: errno {Marshal.GetLastPInvokeError()}";
            LinuxReceiveCalls.Close(epoll);
            return null;
        }

        var receiver = new EpollTftpReceiver(epoll, wake);
        if (LinuxEpollCalls.EpollCtl(epoll, LinuxEpollCalls.EpollCtlAdd, wake, LinuxEpollCalls.EpollEvent(LinuxEpollCalls.EpollIn, WakeToken)) != 0)
        {
            reason = $"epoll_ctl(eventfd) failed: errno {Marshal.GetLastPInvokeError()}";
            receiver.Dispose();
            return null;
        }

        try
        {
            receiver.Add(0, requestSocket);
        }
        catch (SocketException ex)
        {
            reason = ex.Message;
            receiver.Dispose();
            return null;
        }

        reason = null;
        return receiver;
    }

    /// <summary>Registers <paramref name="socket"/> for reading under <paramref name="channelId"/>; SocketException when epoll refuses it.</summary>
    public void Add(long channelId, Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        // Level-triggered: a socket left with datagrams after its per-turn share is reported again by the next wait.
        if (LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlAdd, fd, LinuxEpollCalls.EpollEvent(LinuxEpollCalls.EpollIn, channelId)) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        _sockets[channelId] = new Registration(fd);
    }

    /// <summary>Takes a channel's socket out of the set; call before closing the socket. Unknown ids are ignored.</summary>
    public void Remove(long channelId)
    {
        if (_sockets.Remove(channelId, out var registration))
        {
            // ENOENT/EBADF mean it is out already; nothing else to do either way.
            LinuxEpollCalls.EpollCtl(_epoll, LinuxEpollCalls.EpollCtlDel, registration.Fd, LinuxEpollCalls.EpollEvent(0, 0));
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for readable sockets and fills <paramref name="ready"/> with their channel
    /// ids (empty after a timeout, a signal or a <see cref="Wake"/>). Throws IOException when epoll itself fails.
    /// </summary>
    public void Wait(int timeoutMs, List<long> ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        ready.Clear();
        var count = LinuxEpollCalls.EpollWait(_epoll, _events, MaxEvents, timeoutMs);
        if (count < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxErrno.EINTR)
            {
                return;
            }

            throw new IOException($"epoll_wait failed: errno {errno}");
        }

        for (var i = 0; i < count; i++)
        {
            var token = BinaryPrimitives.ReadInt64LittleEndian(_events.AsSpan((i * LinuxEpollCalls.EpollEventSize) + LinuxEpollCalls.EpollDataOffset, 8));
            if (token == WakeToken)
            {
                LinuxReceiveCalls.Read(_wake, out _, 8);
            }
            else
            {
                ready.Add(token);
            }
        }
    }

    /// <summary>Ends a <see cref="Wait"/> now (the server is stopping). Safe from any thread.</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            long one = 1;
            LinuxReceiveCalls.Write(_wake, ref one, 8);
        }
    }

    /// <summary>
    /// Reads one datagram of <paramref name="channelId"/> without blocking: its length (the bytes are
    /// <see cref="Datagram"/> until the next receive), or -1 when the socket has nothing more, or the channel is no
    /// longer registered (its transfer ended since the wait reported it). The sender and, on the request port, the
    /// address the datagram was sent to come out as <paramref name="from"/> and <paramref name="localAddress"/>.
    /// </summary>
    public int Receive(long channelId, out IPEndPoint? from, out IPAddress? localAddress)
    {
        from = null;
        localAddress = null;
        if (!_sockets.TryGetValue(channelId, out var registration))
        {
            return -1;
        }

        var block = _block.AsSpan();

        // ICMP errors of earlier sends (port unreachable) surface as one failed receive each; skip a bounded number.
        for (var attempt = 0; attempt < 16; attempt++)
        {
            // The kernel overwrites the name and control lengths and the flags; reset them for every call.
            BinaryPrimitives.WriteInt32LittleEndian(block[(MsgHdrOffset + 8)..], NameBytes);
            BinaryPrimitives.WriteInt64LittleEndian(block[(MsgHdrOffset + 40)..], channelId == 0 ? ControlBytes : 0);
            BinaryPrimitives.WriteInt32LittleEndian(block[(MsgHdrOffset + 48)..], 0);
            var length = LinuxReceiveCalls.RecvMsg(registration.Fd, _blockAddress + MsgHdrOffset, LinuxMessageFlags.DontWait);
            if (length < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is LinuxErrno.EAGAIN or LinuxErrno.EBADF or LinuxErrno.EINTR)
                {
                    return -1;
                }

                continue;
            }

            if (BinaryPrimitives.ReadUInt16LittleEndian(block[NameOffset..]) != LinuxReceiveCalls.AfInet)
            {
                continue;
            }

            if ((BinaryPrimitives.ReadInt32LittleEndian(block[(MsgHdrOffset + 48)..]) & LinuxMessageFlags.Trunc) != 0)
            {
                // Longer than any TFTP packet: not one. Dropped like the portable path's malformed packets would be.
                continue;
            }

            from = registration.Sender(block.Slice(NameOffset + 2, 6));
            if (channelId == 0)
            {
                localAddress = PacketDestination(block);
            }

            return (int)length;
        }

        return -1;
    }

    /// <summary>The bytes of the last datagram <see cref="Receive"/> returned.</summary>
    public ReadOnlySpan<byte> Datagram(int length) => _block.AsSpan(0, Math.Min(length, TftpPacket.MaxLength));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var id in _sockets.Keys.ToArray())
        {
            Remove(id);
        }

        LinuxReceiveCalls.Close(_wake);
        LinuxReceiveCalls.Close(_epoll);
    }

    /// <summary>ipi_addr of the IP_PKTINFO control message: the address the client sent its request to.</summary>
    private IPAddress? PacketDestination(Span<byte> block)
    {
        var controlLength = (int)Math.Min(BinaryPrimitives.ReadInt64LittleEndian(block[(MsgHdrOffset + 40)..]), ControlBytes);
        var at = 0;
        while (at + 16 <= controlLength)
        {
            var messageLength = (int)BinaryPrimitives.ReadInt64LittleEndian(block[(ControlOffset + at)..]);
            var level = BinaryPrimitives.ReadInt32LittleEndian(block[(ControlOffset + at + 8)..]);
            var type = BinaryPrimitives.ReadInt32LittleEndian(block[(ControlOffset + at + 12)..]);
            if (messageLength < 16)
            {
                return null;
            }

            if (level == LinuxReceiveCalls.IpProtoIp && type == LinuxReceiveCalls.IpPktInfo && at + 28 <= controlLength)
            {
                // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(block[(ControlOffset + at + 16 + 8)..]);
                if (_lastLocalAddress is null || bits != _lastLocalBits)
                {
                    _lastLocalAddress = new IPAddress(bits);
                    _lastLocalBits = bits;
                }

                return _lastLocalAddress;
            }

            at += (messageLength + 7) & ~7;
        }

        return null;
    }

    /// <summary>One registered socket, and the endpoint object of its last sender (a transfer hears one peer: no allocation per ACK).</summary>
    private sealed class Registration(int fd)
    {
        private long _lastKey = -1;
        private IPEndPoint? _lastSender;

        public int Fd => fd;

        /// <summary><paramref name="portAndAddress"/> is sockaddr_in's port (network order) and address.</summary>
        public IPEndPoint Sender(ReadOnlySpan<byte> portAndAddress)
        {
            var port = BinaryPrimitives.ReadUInt16BigEndian(portAndAddress);
            var address = BinaryPrimitives.ReadUInt32LittleEndian(portAndAddress[2..]);
            var key = ((long)port << 32) | address;
            if (_lastSender is null || key != _lastKey)
            {
                _lastSender = new IPEndPoint(new IPAddress(address), port);
                _lastKey = key;
            }

            return _lastSender;
        }
    }
}
