namespace NodeFoundry.Net;

/// <summary>
/// Header bytes each packet adds on an Ethernet link, as a link's shaper counts them (Linux's tbf and a switch port
/// count the frame: 14 bytes of Ethernet header, not the preamble, FCS or gap). A budget "on the wire" has to count
/// them: 950 Mbit/s of TCP payload is ~993 Mbit/s of frames, the whole link once TFTP is added.
/// </summary>
public static class WireOverhead
{
    /// <summary>Ethernet (14) + IPv4 (20) + UDP (8) header bytes per datagram.</summary>
    public const int UdpIpv4 = 14 + 20 + 8;

    /// <summary>TCP payload of a full-sized segment on a 1500-byte MTU with timestamps (Linux's default): 1500 − 20 − 32.</summary>
    public const int TcpSegmentPayload = 1448;

    /// <summary>The Ethernet frame that carries it: 14 + 20 IPv4 + 32 TCP with timestamps + 1448.</summary>
    public const int TcpSegmentFrame = 1514;

    /// <summary>Payload bytes a TCP bulk send puts through per byte of frame: the factor from a wire budget to a pacing rate (the kernel paces payload).</summary>
    public static long TcpPayloadFor(long wireBytesPerSecond) => wireBytesPerSecond * TcpSegmentPayload / TcpSegmentFrame;
}
