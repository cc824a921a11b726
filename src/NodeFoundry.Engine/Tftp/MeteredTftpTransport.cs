using System.Net;

namespace NodeFoundry.Tftp;

/// <summary>
/// Counts what every channel of a transport sends into <see cref="TftpServerCounters.CountSent"/>, whatever the
/// transport (sockets, or the tests' lists): the HTTP pacer takes TFTP's bytes out of the link budget, so they
/// have to be counted where all sends pass, not inside one transport. Failed sends put nothing on the wire and are
/// not counted.
/// </summary>
internal sealed class MeteredTftpTransport : ITftpTransport
{
    private readonly ITftpTransport _inner;
    private readonly TftpServerCounters _counters;

    public MeteredTftpTransport(ITftpTransport inner, TftpServerCounters counters)
    {
        _inner = inner;
        _counters = counters;
        RequestChannel = new MeteredChannel(inner.RequestChannel, counters);
    }

    public ITftpChannel RequestChannel { get; }

    public ITftpChannel Open(IPEndPoint client, IPAddress? localAddress)
    {
        var channel = _inner.Open(client, localAddress);
        return ReferenceEquals(channel, _inner.RequestChannel) ? RequestChannel : new MeteredChannel(channel, _counters);
    }

    private sealed class MeteredChannel(ITftpChannel inner, TftpServerCounters counters) : ITftpChannel
    {
        public long Id => inner.Id;

        public bool Send(IPEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            var sent = inner.Send(destination, datagram);
            if (sent)
            {
                counters.CountSent(1, datagram.Length);
            }

            return sent;
        }

        public bool SendSegments(IPEndPoint destination, ReadOnlySpan<byte> datagrams, int segmentLength)
        {
            var sent = inner.SendSegments(destination, datagrams, segmentLength);
            if (sent)
            {
                counters.CountSent((datagrams.Length + segmentLength - 1) / segmentLength, datagrams.Length);
            }

            return sent;
        }

        public void Dispose() => inner.Dispose();
    }
}
