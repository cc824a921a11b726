using System.Net;

namespace NodeFoundry.Tftp;

/// <summary>
/// Where transfers send from. The server implements it with sockets (one ephemeral socket per transfer,
/// or the request socket in single-port mode); tests implement it with lists, so the whole transfer
/// logic runs in memory.
/// </summary>
public interface ITftpTransport
{
    /// <summary>The request port's channel: refusals and errors to strangers go out here.</summary>
    ITftpChannel RequestChannel { get; }

    /// <summary>
    /// A channel for one new transfer to <paramref name="client"/>. <paramref name="localAddress"/> is the
    /// address the request was sent to, when known, so replies come from the address the client spoke to
    /// (clients check the source of the first reply).
    /// </summary>
    ITftpChannel Open(IPEndPoint client, IPAddress? localAddress);
}

/// <summary>A place to send datagrams from; disposing it ends the transfer's own socket, if it has one.</summary>
public interface ITftpChannel : IDisposable
{
    /// <summary>Identifies inbound packets for this channel; 0 is the request port.</summary>
    long Id { get; }

    /// <summary>Sends one datagram; false when the send failed (counted by the caller, the retransmit timer recovers).</summary>
    bool Send(IPEndPoint destination, ReadOnlySpan<byte> datagram);

    /// <summary>
    /// Sends <paramref name="datagrams"/> as consecutive datagrams of <paramref name="segmentLength"/> bytes each (the
    /// last one may be shorter): a window of DATA packets. The socket transport hands the whole window to the kernel
    /// in one system call where it can (UDP segmentation offload on Linux); this default sends them one by one.
    /// False when any send failed.
    /// </summary>
    bool SendSegments(IPEndPoint destination, ReadOnlySpan<byte> datagrams, int segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 1);
        var ok = true;
        for (var at = 0; at < datagrams.Length; at += segmentLength)
        {
            ok &= Send(destination, datagrams.Slice(at, Math.Min(segmentLength, datagrams.Length - at)));
        }

        return ok;
    }
}
