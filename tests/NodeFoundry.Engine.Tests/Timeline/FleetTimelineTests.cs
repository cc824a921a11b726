using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Storage;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Timeline;

/// <summary>Several servers' boot events of one node, folded into one timeline by the rules of a single server's.</summary>
public sealed class FleetTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("52-54-00-00-00-01");
    private static readonly IPAddress Firmware = IPAddress.Parse("192.0.2.150");
    private static readonly IPAddress Ipxe = IPAddress.Parse("192.0.2.11");

    [Fact]
    public void Two_servers_events_of_one_node_merge_by_time_with_the_earliest_time_per_stage()
    {
        BootEventRecord[] events =
        [
            // Written by B first, as a database returns them when B's batch committed first.
            new(T0.AddSeconds(5), Mac, Ipxe, BootStage.IpxeDhcp, "b", "dhcp offered (iPXE)"),
            new(T0.AddSeconds(6), Mac, Ipxe, BootStage.ScriptFetched, "b", "http GET /boot/52:54:00:00:00:01.ipxe"),
            new(T0.AddSeconds(0), Mac, Firmware, BootStage.Offered, "a", "dhcp offered"),
            new(T0.AddSeconds(1), Mac, Firmware, BootStage.Bound, "a", "dhcp granted"),
            new(T0.AddSeconds(3), Mac, Firmware, BootStage.Bound, "b", "dhcp renewed"),   // seen again, later: no change
            new(T0.AddSeconds(2), Mac, Firmware, BootStage.NbpFetched, "a", "tftp undionly.kpxe"),
        ];

        var node = Assert.Single(FleetTimeline.Fold(events));
        Assert.Equal(BootStage.ScriptFetched, node.Stage);
        Assert.Equal(
            [BootStage.Offered, BootStage.Bound, BootStage.NbpFetched, BootStage.IpxeDhcp, BootStage.ScriptFetched],
            node.Reached.OrderBy(r => r.Value).Select(r => r.Key));
        Assert.Equal(T0.AddSeconds(1), node.At(BootStage.Bound));
        Assert.Equal(Ipxe, node.IPAddress); // the latest event's address
        Assert.Equal(T0.AddSeconds(6), node.LastSeen);
        Assert.Equal(1, node.Attempt);
    }

    [Fact]
    public void A_firmware_offer_after_Installed_starts_a_new_attempt_wherever_it_was_seen()
    {
        BootEventRecord[] events =
        [
            new(T0, Mac, Firmware, BootStage.Offered, "a", null),
            new(T0.AddMinutes(10), Mac, Ipxe, BootStage.Installed, "b", null),
            new(T0.AddDays(1), Mac, Firmware, BootStage.Offered, "b", null),
            new(T0.AddDays(1).AddSeconds(1), Mac, Firmware, BootStage.Bound, "a", null),
        ];

        var node = Assert.Single(FleetTimeline.Fold(events));
        Assert.Equal(2, node.Attempt);
        Assert.Equal(BootStage.Bound, node.Stage);
        Assert.False(node.Reached.ContainsKey(BootStage.Installed));
        Assert.Equal(T0.AddDays(1), node.At(BootStage.Offered));
    }

    [Fact]
    public void Names_come_from_the_fleet_else_the_inventory_and_firmware_from_the_inventory()
    {
        var fleet = NodeFoundry.Fleet.FleetLoader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lab.yaml")), "lab.yaml", Path.GetTempPath()).Fleet!;
        var known = fleet.Nodes[0];
        var stranger = PhysicalAddress.Parse("02-00-00-00-00-09");
        BootEventRecord[] events =
        [
            new(T0, known.MacAddress, Firmware, BootStage.Offered, "a", null),
            new(T0, stranger, Firmware, BootStage.Offered, "a", null),
        ];
        InventoryNode[] inventory =
        [
            new() { MacAddress = known.MacAddress, HostName = "dhcp-name", Architecture = 0, LastServer = "a", FirstSeen = T0, LastSeen = T0 },
            new() { MacAddress = stranger, HostName = "stranger", Architecture = 16, LastServer = "a", FirstSeen = T0, LastSeen = T0 },
        ];

        var timelines = FleetTimeline.Fold(events, fleet, inventory).ToDictionary(t => t.MacAddress);
        Assert.Equal(known.Name, timelines[known.MacAddress].NodeName);
        Assert.Equal(FirmwareKind.Bios, timelines[known.MacAddress].Firmware);
        Assert.Equal("stranger", timelines[stranger].NodeName);
        Assert.Equal(FirmwareKind.EfiX64Http, timelines[stranger].Firmware);
    }
}
