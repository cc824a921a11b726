using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Probe;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>
/// The server with real sockets on loopback: the probe client talks to it as a relay on 127.0.0.1, so
/// nothing leaves the host. Covers the packet loop, batching with durable flushes, and robustness.
/// </summary>
public sealed class DhcpServerTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("nf-dhcp-server-");

    public void Dispose() => _state.Delete(recursive: true);

    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Running(FleetConfig fleet, string? journal, int? relayPort = null)
        {
            Probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 67), new IPEndPoint(IPAddress.Loopback, 0)) { Timeout = TimeSpan.FromSeconds(5) };
            Server = new DhcpServer(fleet, new DhcpServerOptions
            {
                ListenAddress = IPAddress.Loopback,
                Port = 0,
                RelayPort = relayPort ?? Probe.LocalEndPoint.Port,
                JournalPath = journal,
            });
            Task = Server.RunAsync(Events, _stop.Token);
        }

        public DhcpServer Server { get; }

        public DhcpProbeClient Probe { get; }

        public BoundedEventChannel Events { get; } = new(100_000);

        public Task Task { get; }

        public async Task StartAsync()
        {
            await Server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            Probe.Server = Server.LocalEndPoint!;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WaitAsync(TimeSpan.FromSeconds(10));
            Probe.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Full_exchange_over_sockets_is_journalled_before_the_ack()
    {
        var journal = Path.Combine(_state.FullName, "leases.journal");
        PhysicalAddress mac = PhysicalAddress.Parse("02-00-00-00-10-01");
        await using (var running = new Running(LabFleetFixture.Config, journal))
        {
            await running.StartAsync();
            var result = running.Probe.Probe(new DhcpProbeRequest(mac, 7) { CompleteLease = true });
            Assert.True(result.Acknowledged, result.Failure);
            Assert.Equal("ipxe.efi", result.BootFile);

            // The ACK was sent after the fsync: the record is in the file now, while the server still runs.
            var onDisk = LeaseJournal.ReadLeases(journal).Single(l => l.MacAddress.Equals(mac));
            Assert.Equal(result.Ack!.YourAddress, onDisk.Address);
            Assert.True(running.Server.Counters.JournalFlushes >= 1);
            Assert.Contains(running.Server.GetLeases(), l => l.MacAddress.Equals(mac));
        }
    }

    [Fact]
    public async Task Hundred_thousand_random_and_mutated_datagrams_do_not_stop_the_server()
    {
        await using var running = new Running(LabFleetFixture.Config, Path.Combine(_state.FullName, "leases.journal"));
        await running.StartAsync();
        var target = running.Server.LocalEndPoint!;
        var random = new Random(20261122);
        var valid = ValidDiscover();
        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var buffer = new byte[1500];
            for (var i = 0; i < 100_000; i++)
            {
                int length;
                if (i % 2 == 0)
                {
                    length = random.Next(0, 600);
                    random.NextBytes(buffer.AsSpan(0, length));
                }
                else
                {
                    // A valid DISCOVER with a few bytes flipped, truncated or extended: reaches deeper code.
                    valid.CopyTo(buffer, 0);
                    length = valid.Length;
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        buffer[random.Next(length)] = (byte)random.Next(256);
                    }

                    length = random.Next(10) switch
                    {
                        0 => random.Next(length),
                        1 => Math.Min(buffer.Length, length + random.Next(200)),
                        _ => length,
                    };
                }

                sender.SendTo(buffer.AsSpan(0, length), target);
                if (i % 2000 == 0)
                {
                    await Task.Delay(1); // let the loop drain; a drop in the kernel queue is fine, a stall is not
                }
            }
        }

        // Let the loop drain its queue first (bounded): on a loaded machine the flood can still be queued,
        // and a probe stuck behind it would time out for a reason that is not the one under test.
        var drainDeadline = DateTime.UtcNow.AddSeconds(60);
        var lastSeen = -1L;
        while (DateTime.UtcNow < drainDeadline && running.Server.Counters.Received != lastSeen)
        {
            lastSeen = running.Server.Counters.Received;
            await Task.Delay(300);
        }

        // Still alive, still serving: a known node gets its reservation. Like firmware, the probe tries again (at most
        // three times): on a starved machine the counter can stand still while the flood is still queued, and a probe
        // behind it may time out once — a stopped server never answers any of the three.
        DhcpProbeResult result = running.Probe.Probe(new DhcpProbeRequest(PhysicalAddress.Parse("52-54-00-00-00-01"), 0) { CompleteLease = true });
        for (var attempt = 2; attempt <= 3 && !result.Acknowledged; attempt++)
        {
            result = running.Probe.Probe(new DhcpProbeRequest(PhysicalAddress.Parse("52-54-00-00-00-01"), 0) { CompleteLease = true });
        }

        Assert.True(result.Acknowledged, result.Failure);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), result.Ack!.YourAddress);
        Assert.False(running.Task.IsCompleted, "the server loop ended");
        Assert.True(running.Server.Counters.Malformed > 1000, $"only {running.Server.Counters.Malformed} malformed counted");
        Assert.Equal(0, running.Server.Counters.HandlerFaults);
    }

    [Fact]
    public async Task Burst_of_distinct_clients_is_fully_answered_and_no_address_is_offered_twice()
    {
        // This socket plays the relay: it sends the burst and receives every reply (the server's RelayPort).
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var running = new Running(LabFleetFixture.Config, Path.Combine(_state.FullName, "leases.journal"), ((IPEndPoint)socket.LocalEndPoint!).Port);
        await running.StartAsync();
        var clients = 50; // the lab's PXE range holds exactly 50
        for (var i = 0; i < clients; i++)
        {
            var discover = new DhcpPacket { TransactionId = 42, MacAddress = new PhysicalAddress([2, 0, 0, 2, 0, (byte)i]), GatewayAddress = IPAddress.Loopback };
            discover.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
            discover.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 7);
            socket.SendTo(discover.ToArray(), running.Server.LocalEndPoint!);
        }

        // Replies go to the relay port, which is the probe's socket.
        var offers = new Dictionary<PhysicalAddress, IPAddress>();
        var receive = new byte[2048];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (offers.Count < clients && DateTime.UtcNow < deadline)
        {
            if (!socket.Poll(1_000_000, SelectMode.SelectRead))
            {
                continue;
            }

            var length = socket.Receive(receive);
            if (DhcpPacket.TryParse(receive.AsSpan(0, length), out var offer, out _) && offer.MessageType == DhcpMessageType.Offer)
            {
                offers[offer.MacAddress] = offer.YourAddress;
            }
        }

        Assert.Equal(clients, offers.Count);
        Assert.Equal(clients, offers.Values.Distinct().Count());

        // The metrics read the same traffic: offers by firmware (counted right after each send) and the range's holds.
        var counted = DateTime.UtcNow.AddSeconds(10);
        while (running.Server.Counters.OffersFor(NodeFoundry.Boot.FirmwareKind.EfiX64) < clients && DateTime.UtcNow < counted)
        {
            await Task.Delay(10);
        }

        Assert.Equal(clients, running.Server.Counters.OffersFor(NodeFoundry.Boot.FirmwareKind.EfiX64));
        Assert.Equal(0, running.Server.Counters.OffersFor(NodeFoundry.Boot.FirmwareKind.Bios));
        var usage = running.Server.GetPoolUsage();
        Assert.Equal(clients, usage.Sum(p => p.Offered));
        var metrics = new NodeFoundry.Metrics.MetricsRegistry().AddDhcp(running.Server).Render();
        Assert.Contains($"nodefoundry_dhcp_offers_total{{arch=\"efi-x64\"}} {clients}\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"nodefoundry_dhcp_leases_offered{{range=\"{usage.Single(p => p.Offered > 0).Pool}\"}} {clients}\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_server_on_the_same_port_fails_with_the_cause()
    {
        await using var running = new Running(LabFleetFixture.Config, null);
        await running.StartAsync();
        var second = new DhcpServer(LabFleetFixture.Config, new DhcpServerOptions { ListenAddress = IPAddress.Loopback, Port = running.Server.LocalEndPoint!.Port });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.RunAsync(new BoundedEventChannel(), CancellationToken.None));
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WhenListening);
    }

    [Fact]
    public async Task Missing_interface_fails_the_start_naming_it_and_the_fix()
    {
        var server = new DhcpServer(LabFleetFixture.Config, new DhcpServerOptions { ListenAddress = IPAddress.Any, Port = 0, InterfaceName = "nf-no-such0" });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunAsync(new BoundedEventChannel(), CancellationToken.None));
        Assert.Contains("nf-no-such0", error.Message, StringComparison.Ordinal);
        Assert.Contains("server.interface", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_that_is_not_a_journal_fails_the_start_and_is_left_untouched()
    {
        var path = Path.Combine(_state.FullName, "leases.journal");
        await File.WriteAllTextAsync(path, "this is somebody's notes, not a lease journal\n");
        var server = new DhcpServer(LabFleetFixture.Config, new DhcpServerOptions { ListenAddress = IPAddress.Loopback, Port = 0, JournalPath = path });
        await Assert.ThrowsAnyAsync<Exception>(() => server.RunAsync(new BoundedEventChannel(), CancellationToken.None));
        Assert.Equal("this is somebody's notes, not a lease journal\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Restart_on_the_same_journal_keeps_every_granted_lease()
    {
        var journal = Path.Combine(_state.FullName, "leases.journal");
        var granted = new Dictionary<PhysicalAddress, IPAddress>();
        await using (var first = new Running(LabFleetFixture.Config, journal))
        {
            await first.StartAsync();
            for (var i = 0; i < 20; i++)
            {
                var mac = new PhysicalAddress([2, 0, 0, 3, 0, (byte)i]);
                var result = first.Probe.Probe(new DhcpProbeRequest(mac, 0) { CompleteLease = true });
                Assert.True(result.Acknowledged, result.Failure);
                granted[mac] = result.Ack!.YourAddress;
            }
        }

        await using var second = new Running(LabFleetFixture.Config, journal);
        await second.StartAsync();
        foreach (var (mac, address) in granted)
        {
            Assert.Equal(address, second.Server.GetLeases().Single(l => l.MacAddress.Equals(mac)).Address);
        }

        var newcomer = second.Probe.Probe(new DhcpProbeRequest(PhysicalAddress.Parse("02-00-00-03-01-00"), 0) { CompleteLease = true });
        Assert.DoesNotContain(newcomer.Ack!.YourAddress, granted.Values);
    }

    private static byte[] ValidDiscover()
    {
        var discover = new DhcpPacket { TransactionId = 0xfeed, MacAddress = PhysicalAddress.Parse("02-00-00-09-09-09"), GatewayAddress = IPAddress.Loopback };
        discover.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        discover.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 0);
        discover.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001");
        discover.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
        return discover.ToArray();
    }
}
