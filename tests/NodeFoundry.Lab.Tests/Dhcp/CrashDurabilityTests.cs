using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>
/// SIGKILL the real server while clients are being granted leases, restart it on the same journal, and
/// check the promise: no granted lease is lost, no address is ever held by two MACs.
/// </summary>
public sealed class CrashDurabilityTests
{
    private const int Relays = 4;

    [Fact]
    public async Task Sigkill_under_load_loses_no_granted_lease_and_never_doubles_an_address()
    {
        using var lab = new NetworkLab();
        // Wider ranges than the example, so the load can run until the kill without exhausting them.
        using var fleet = new LabFleet(LabFleet.ExampleYaml
            .Replace("start: 192.0.2.100", "start: 192.0.2.30", StringComparison.Ordinal)
            .Replace("end: 192.0.2.149", "end: 192.0.2.139", StringComparison.Ordinal)
            .Replace("start: 192.0.2.150", "start: 192.0.2.140", StringComparison.Ordinal)
            .Replace("end: 192.0.2.199", "end: 192.0.2.250", StringComparison.Ordinal));
        var server = NodeFoundryProcess.Serve(lab, fleet.Path);
        var iface = lab.AddClient(TestMacs.Next(), "192.0.2.2/24");
        for (var i = 1; i < Relays; i++)
        {
            lab.AddClientAddress(iface, $"192.0.2.{2 + i}/24");
        }

        var granted = new ConcurrentDictionary<PhysicalAddress, (IPAddress Address, ushort? Arch)>();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            var load = StartLoad(lab, granted, stop.Token);

            // Kill while the load is still running: wait for a good number of grants first (bounded).
            var deadline = DateTime.UtcNow.AddSeconds(45);
            while (granted.Count < 40 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            server.Kill();
            stop.Cancel();
            await load.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(granted.Count >= 40, $"only {granted.Count} leases were granted before the deadline; server output:\n{server.StandardOutput}\n{server.StandardError}");

        // Every ACK the clients saw is in the journal, as the same address.
        var journal = LeaseJournal.ReadLeases(fleet.JournalPath).ToDictionary(l => l.MacAddress, l => l);
        foreach (var (mac, (address, _)) in granted)
        {
            Assert.True(journal.TryGetValue(mac, out var lease), $"granted lease {mac} → {address} is missing after SIGKILL");
            Assert.Equal(address, lease.Address);
            Assert.Equal(LeaseState.Bound, lease.State);
        }

        AssertNoAddressHeldTwice(journal.Values);

        // Restart on the same journal: old clients keep their addresses, new clients never get one of them.
        using var restarted = NodeFoundryProcess.Serve(lab, fleet.Path);
        using var probe = new DhcpProbeClient(NamespaceSockets.BindUdp(lab.ClientNamespace, new IPEndPoint(IPAddress.Parse("192.0.2.2"), 67)), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 67));
        foreach (var (mac, (address, arch)) in granted.Take(10))
        {
            var again = probe.Probe(new DhcpProbeRequest(mac, arch) { CompleteLease = true });
            Assert.True(again.Acknowledged, $"{mac}: {again.Failure}\nrestarted server:\n{restarted.StandardOutput}\n{restarted.StandardError}");
            Assert.Equal(address, again.Ack!.YourAddress);
        }

        var taken = granted.Values.Select(v => v.Address).ToHashSet();
        for (var i = 0; i < 5; i++)
        {
            var fresh = probe.Probe(new DhcpProbeRequest(TestMacs.Next(), Architecture: 0) { CompleteLease = true });
            Assert.True(fresh.Acknowledged, $"fresh client {i}: {fresh.Failure} ({granted.Count} granted before the kill)\nrestarted server:\n{restarted.StandardOutput}\n{restarted.StandardError}");
            Assert.DoesNotContain(fresh.Ack!.YourAddress, taken);
        }

        AssertNoAddressHeldTwice(LeaseJournal.ReadLeases(fleet.JournalPath));
    }

    private static Task StartLoad(NetworkLab lab, ConcurrentDictionary<PhysicalAddress, (IPAddress Address, ushort? Arch)> granted, CancellationToken stop)
    {
        var server = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 67);
        var workers = Enumerable.Range(0, Relays).Select(i => Task.Factory.StartNew(
            () =>
            {
                using var probe = new DhcpProbeClient(NamespaceSockets.BindUdp(lab.ClientNamespace, new IPEndPoint(IPAddress.Parse($"192.0.2.{2 + i}"), 67)), server)
                {
                    Timeout = TimeSpan.FromSeconds(1),
                };

                // Alternate PXE and plain clients so both ranges fill; bounded by the token and by count, and
                // capped below the ranges' 221 addresses so fresh clients still find one after the restart.
                for (var n = 0; n < 200 && !stop.IsCancellationRequested && granted.Count < 150; n++)
                {
                    var mac = TestMacs.Next();
                    ushort? arch = n % 2 == 0 ? (ushort)0 : null;
                    var result = probe.Probe(new DhcpProbeRequest(mac, arch) { CompleteLease = true });
                    if (result.Acknowledged)
                    {
                        granted[mac] = (result.Ack!.YourAddress, arch);
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        return Task.WhenAll(workers);
    }

    private static void AssertNoAddressHeldTwice(IEnumerable<Lease> leases)
    {
        var now = DateTimeOffset.UtcNow;
        var doubled = leases
            .Where(l => l.IsActiveAt(now))
            .GroupBy(l => l.Address)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(l => l.MacAddress))}")
            .ToList();
        Assert.True(doubled.Count == 0, "addresses held by two MACs: " + string.Join("; ", doubled));
    }
}
