using System.Net;
using NodeFoundry.Tftp;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp;

/// <summary>Admission under a whole fleet's first requests at once, on the fake clock.</summary>
public sealed class TftpAdmissionBurstTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly InMemoryTransport _transport = new();
    private readonly ListSink _events = new();
    private readonly TftpServerCounters _counters = new();
    private readonly TftpTransferManager _manager;
    private TimeSpan _now = TimeSpan.FromSeconds(100);

    public TftpAdmissionBurstTests() =>
        _manager = new(new TftpServerOptions { Root = _root.Path }, new TftpFileStore(new TftpRootResolver(_root.Path)), _transport, _events, _counters);

    public void Dispose()
    {
        _manager.Dispose();
        _root.Dispose();
    }

    private static readonly (string, string)[] RomOptions = [("tsize", "0"), ("blksize", "1432")];

    private void Request(IPEndPoint from, string file, params (string, string)[] options) =>
        _manager.OnRequestPortPacket(from, null, TestTftpClient.Request(file, options), _now);

    [Fact]
    public void A_fleet_sized_burst_of_requests_is_queued_and_every_one_started_before_a_rom_times_out()
    {
        _root.Write("nbp", 73_728);
        var options = new TftpServerOptions();
        var clients = Enumerable.Range(0, 2000).Select(i => new IPEndPoint(IPAddress.Parse("198.18.100.1"), 10_000 + i)).ToList();
        foreach (var client in clients)
        {
            Request(client, "nbp", RomOptions);
        }

        Assert.DoesNotContain(TransferEventKind.Refused, _events.Kinds);
        Assert.Equal(options.MaxActiveTransfers, _manager.ActiveCount);
        _now += options.MaxQueueWait;
        _manager.Tick(_now);
        Assert.Equal(clients.Count, _manager.ActiveCount);
        Assert.True(options.MaxQueueWait < options.ClientTimeout);
        Assert.Equal(clients.Count, _transport.Take().Where(s => s.Packet is TftpOptionAckPacket).Select(s => s.To).Distinct().Count());
    }
}
