using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>A transport that records what would have been sent; no sockets.</summary>
internal sealed class InMemoryTransport : ITftpTransport
{
    private long _nextId;

    public InMemoryTransport() => RequestChannel = new Channel(0, this);

    public ITftpChannel RequestChannel { get; }

    public List<Sent> Sent { get; } = [];

    public List<long> Disposed { get; } = [];

    /// <summary>Every SendSegments call: how many datagrams it carried and their segment length.</summary>
    public List<(int Datagrams, int SegmentLength)> Batches { get; } = [];

    public bool SinglePort { get; init; }

    public ITftpChannel Open(IPEndPoint client, IPAddress? localAddress) => SinglePort ? RequestChannel : new Channel(++_nextId, this);

    /// <summary>Sends recorded since the last call, parsed.</summary>
    public List<Sent> Take()
    {
        var taken = Sent.ToList();
        Sent.Clear();
        return taken;
    }

    private sealed class Channel(long id, InMemoryTransport owner) : ITftpChannel
    {
        public long Id => id;

        public bool Send(IPEndPoint destination, ReadOnlySpan<byte> datagram)
        {
            Assert.True(TftpPacket.TryParse(datagram, out var packet, out var error), error?.ToString());
            owner.Sent.Add(new Sent(id, destination, packet));
            return true;
        }

        public bool SendSegments(IPEndPoint destination, ReadOnlySpan<byte> datagrams, int segmentLength)
        {
            owner.Batches.Add(((datagrams.Length + segmentLength - 1) / segmentLength, segmentLength));
            for (var at = 0; at < datagrams.Length; at += segmentLength)
            {
                Send(destination, datagrams.Slice(at, Math.Min(segmentLength, datagrams.Length - at)));
            }

            return true;
        }

        public void Dispose() => owner.Disposed.Add(id);
    }
}

internal sealed record Sent(long ChannelId, IPEndPoint To, TftpPacket Packet)
{
    public int DataBlock => Packet is TftpDataPacket data ? data.Block : -1;
}

/// <summary>Collects events in a list.</summary>
internal sealed class ListSink : IBootEventSink
{
    public List<TransferEvent> Events { get; } = [];

    public void Publish(BootEvent bootEvent) => Events.Add((TransferEvent)bootEvent);

    public IEnumerable<TransferEventKind> Kinds => Events.Select(e => e.Kind);
}
