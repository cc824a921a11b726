namespace NodeFoundry.Net;

/// <summary>
/// Linux socket option levels and names the runtime has no enum for, set with Socket.SetRawSocketOption (one place,
/// so every engine uses the same numbers; values from the kernel's asm-generic/socket.h, udp.h and tcp.h).
/// </summary>
internal static class LinuxSocketOptions
{
    /// <summary>SOL_SOCKET.</summary>
    public const int SolSocket = 1;

    /// <summary>SOL_UDP (IPPROTO_UDP).</summary>
    public const int SolUdp = 17;

    /// <summary>SO_BINDTODEVICE: serve one interface only.</summary>
    public const int SoBindToDevice = 25;

    /// <summary>SO_RCVBUFFORCE: a receive buffer above rmem_max (root).</summary>
    public const int SoRcvBufForce = 33;

    /// <summary>SO_MAX_PACING_RATE: bytes per second; turns on TCP's internal pacing.</summary>
    public const int SoMaxPacingRate = 47;

    /// <summary>SO_RCVLOWAT (SOL_SOCKET): bytes a TCP socket must hold before poll/epoll call it readable.</summary>
    public const int SoRcvLowat = 18;

    /// <summary>UDP_SEGMENT: generic segmentation offload for UDP sends.</summary>
    public const int UdpSegment = 103;

    /// <summary>TCP_CORK (level IPPROTO_TCP).</summary>
    public const int TcpCork = 3;
}
