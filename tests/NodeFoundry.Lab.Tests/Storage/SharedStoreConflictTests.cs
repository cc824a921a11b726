using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Storage;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// The conflict path end to end, made certain: two in-process DHCP servers on loopback share one database, start
/// their address scans at the same point and never read each other's changes, so the second one offers the address
/// the first has just granted. The database must refuse that grant, the loser must NAK (not ACK), learn the holder
/// and move its scan away from the other's (<c>LeaseTable.LearnRefusals</c>), and the client must be bound on its next
/// try. From then on the two allocate apart: no second refusal, no address acknowledged twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedStoreConflictTests(PostgresCluster cluster)
{
    private const int ClientsPerServer = 60;

    [Fact]
    public async Task Servers_blind_to_each_other_collide_once_the_database_refuses_the_loser_and_they_then_allocate_apart()
    {
        var connection = cluster.TcpConnectionString(cluster.CreateDatabase("nfpg_blind"));
        // A relay on loopback is served the scope of the server's own address (DhcpBootPolicy.SelectScope).
        var fleet = FleetLoader.Parse("""
            server:
              address: 198.18.0.1
            dhcp:
              maxRequestsPerMacPerSecond: 1000
              scopes:
                - name: racks
                  subnet: 198.18.0.0/24
                  range: { start: 198.18.0.10, end: 198.18.0.250 }
            """).Fleet!;

        using var clientOne = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var clientTwo = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        clientOne.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        clientTwo.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var events = new EventLog();
        using var one = BlindServer(fleet, connection, "one", ((IPEndPoint)clientOne.LocalEndPoint!).Port);
        using var two = BlindServer(fleet, connection, "two", ((IPEndPoint)clientTwo.LocalEndPoint!).Port);
        var runs = new[] { one.RunAsync(events, stop.Token), two.RunAsync(events, stop.Token) };
        await Task.WhenAll(one.WhenListening, two.WhenListening).WaitAsync(TimeSpan.FromSeconds(30));

        var relays = new[]
        {
            new RelayDhcpClient(clientOne, one.LocalEndPoint!),
            new RelayDhcpClient(clientTwo, two.LocalEndPoint!),
        };
        var acks = new List<(PhysicalAddress Mac, IPAddress Address)>();
        var naks = 0;
        try
        {
            // Alternate: each client asks the server that did not grant the previous one.
            for (var i = 0; i < 2 * ClientsPerServer; i++)
            {
                var mac = TestMacs.Next();
                DhcpPacket? ack = null;
                for (var attempt = 0; attempt < 4 && ack is null; attempt++)
                {
                    var reply = relays[i % 2].Bind(mac);
                    if (reply?.MessageType == DhcpMessageType.Nak)
                    {
                        naks++;
                    }
                    else if (reply?.MessageType == DhcpMessageType.Ack)
                    {
                        ack = reply;
                    }
                }

                Assert.True(ack is not null, $"client {i} ({mac}) was never bound; events:\n{events}");
                acks.Add((mac, ack!.YourAddress));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The first race was refused; the loser's scan leapt away, so the blind servers never met again.
        Assert.True(naks == 1, $"{naks} grants were refused, expected exactly the first race; events:\n{events}");
        Assert.Equal(acks.Count, acks.Select(a => a.Address).Distinct().Count());
        Assert.Contains(events.All, e => e is LeaseEvent { Kind: LeaseEventKind.Refused, Reason: { } r } && r.Contains("through another server", StringComparison.Ordinal));

        using var store = PostgresLeaseStore.Open(connection, "reader");
        var leases = store.ReadLeases().ToDictionary(l => l.MacAddress, l => l.Address);
        Assert.Equal(acks.Count, leases.Count);
        foreach (var (mac, address) in acks)
        {
            Assert.Equal(address, leases[mac]);
        }
    }

    /// <summary>A server that starts its scan at the range's start and (for this test) never reads the other's changes.</summary>
    private static DhcpServer BlindServer(FleetConfig fleet, string connection, string name, int relayPort) =>
        new(fleet, new DhcpServerOptions
        {
            ListenAddress = IPAddress.Loopback,
            Port = 0,
            RelayPort = relayPort,
            LeaseStore = () => PostgresLeaseStore.Open(connection, name),
            AllocationStart = 0,
        })
        {
            StoreSyncInterval = TimeSpan.FromHours(1),
        };

    private sealed class EventLog : IBootEventSink
    {
        private readonly ConcurrentQueue<BootEvent> _events = new();

        public IReadOnlyList<BootEvent> All => [.. _events];

        public void Publish(BootEvent bootEvent) => _events.Enqueue(bootEvent);

        public override string ToString() => string.Join(Environment.NewLine, _events.TakeLast(40));
    }
}
