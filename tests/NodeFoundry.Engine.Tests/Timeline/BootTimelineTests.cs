using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Http;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Timeline;

public sealed class BootTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PhysicalAddress MacA = PhysicalAddress.Parse("52-54-00-00-00-01");
    private static readonly PhysicalAddress MacB = PhysicalAddress.Parse("52-54-00-00-00-02");
    private static readonly IPAddress IpA = IPAddress.Parse("192.0.2.11");
    private static readonly IPAddress IpPxe = IPAddress.Parse("192.0.2.150");

    private static FleetConfig Fleet()
    {
        var loaded = FleetLoader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lab.yaml")), "lab.yaml", Path.GetTempPath());
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Fleet!;
    }

    // One letter per event, so the table rows read as sequences. a/b: the MAC; numbers: seconds after T0.
    private static BootEvent Ev(string code, PhysicalAddress mac, IPAddress ip, int second)
    {
        var at = T0.AddSeconds(second);
        var macText = MacAddressText.Format(mac);
        return code switch
        {
            "offer" => new LeaseEvent { Kind = LeaseEventKind.Offered, MacAddress = mac, Address = ip, Firmware = FirmwareKind.Bios, Timestamp = at },
            "ack" => new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = mac, Address = ip, Firmware = FirmwareKind.Bios, Timestamp = at },
            "ipxe" => new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = mac, Address = ip, Firmware = FirmwareKind.Bios, IsIpxe = true, Timestamp = at },
            "release" => new LeaseEvent { Kind = LeaseEventKind.Released, MacAddress = mac, Address = ip, Timestamp = at },
            "tftp" => new TransferEvent { Kind = TransferEventKind.Completed, Client = new IPEndPoint(ip, 2070), FileName = "undionly.kpxe", IPAddress = ip, Timestamp = at },
            "tftp-fail" => new TransferEvent { Kind = TransferEventKind.Failed, Client = new IPEndPoint(ip, 2070), FileName = "undionly.kpxe", IPAddress = ip, Timestamp = at },
            "script" => Http("GET", $"/boot/{macText}.ipxe", 200, ip, at),
            "script%" => Http("GET", $"/boot/{macText.Replace(":", "%3A", StringComparison.Ordinal)}.ipxe", 200, ip, at),
            "kernel" => Http("GET", "/ubuntu-24.04/casper/vmlinuz", 200, ip, at),
            "kernel-head" => Http("HEAD", "/ubuntu-24.04/casper/vmlinuz", 200, ip, at),
            "kernel-404" => Http("GET", "/ubuntu-24.04/casper/vmlinuz", 404, ip, at),
            "initrd" => Http("GET", "/ubuntu-24.04/casper/initrd", 206, ip, at),
            "rhel-kernel" => Http("GET", "/rhel-9/images/pxeboot/vmlinuz", 200, ip, at),
            "iso" => Http("GET", "/ubuntu-24.04/ubuntu-24.04-live-server-amd64.iso", 200, ip, at),
            "answer" => Http("GET", $"/nocloud/{macText}/user-data", 200, ip, at),
            "phone" => Http("POST", $"/phone-home/{macText}", 200, ip, at),
            "http-efi" => Http("GET", "/ipxe.efi", 200, ip, at),
            _ => throw new ArgumentException(code, nameof(code)),
        };
    }

    private static HttpRequestEvent Http(string method, string path, int status, IPAddress ip, DateTimeOffset at) =>
        new() { Method = method, Path = path, StatusCode = status, IPAddress = ip, Timestamp = at };

    /// <summary>"offer a 0, ack a 1, …": event, MAC (a/b), IP (A = reservation, P = PXE range), second.</summary>
    private static List<BootEvent> Sequence(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(step =>
        {
            var parts = step.Split(' ');
            var mac = parts[1] == "a" ? MacA : MacB;
            var ip = parts[2] == "A" ? IpA : IpPxe;
            return Ev(parts[0], mac, ip, int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
        })];

    public static TheoryData<string, string, BootStage, string> Sequences => new()
    {
        {
            "a whole boot in order",
            "offer a A 0, ack a A 1, tftp a A 2, ipxe a A 3, script a A 4, kernel a A 5, initrd a A 6, answer a A 7, phone a A 8",
            BootStage.Installed,
            "Offered@0 Bound@1 NbpFetched@2 IpxeDhcp@3 ScriptFetched@4 Kernel@5 Initrd@6 AnswerFile@7 Installed@8"
        },
        {
            "duplicates keep the earliest time and add nothing",
            "offer a A 0, offer a A 1, ack a A 2, ack a A 3, tftp a A 4, tftp a A 5, ipxe a A 6, ipxe a A 9",
            BootStage.IpxeDhcp,
            "Offered@0 Bound@2 NbpFetched@4 IpxeDhcp@6"
        },
        {
            "out of order: an earlier stage reported late is recorded, the stage stays",
            "offer a A 0, ipxe a A 3, ack a A 1, script a A 4, tftp a A 2",
            BootStage.ScriptFetched,
            "Offered@0 Bound@1 NbpFetched@2 IpxeDhcp@3 ScriptFetched@4"
        },
        {
            "a transfer before the lease that names its address is held, then attributed",
            "tftp a A 2, offer a A 0, ack a A 1",
            BootStage.NbpFetched,
            "Offered@0 Bound@1 NbpFetched@2"
        },
        {
            "firmware on the PXE range, iPXE on the reservation: both addresses are the node's",
            "offer a P 0, ack a P 1, tftp a P 2, ipxe a A 3, kernel a A 5, initrd a A 6, kernel a P 7",
            BootStage.Initrd,
            "Offered@0 Bound@1 NbpFetched@2 IpxeDhcp@3 Kernel@5 Initrd@6"
        },
        {
            "failed transfers, HEAD, 404 and non-boot files are no stage",
            "offer a A 0, ack a A 1, tftp-fail a A 2, kernel-head a A 3, kernel-404 a A 4, iso a A 5",
            BootStage.Bound,
            "Offered@0 Bound@1"
        },
        {
            "per-node routes carry the MAC: no lease needed, percent-encoded colons too",
            "script% a P 4, answer a P 7",
            BootStage.AnswerFile,
            "ScriptFetched@4 AnswerFile@7"
        },
        {
            "any profile's kernel is a kernel; UEFI HTTP Boot's loader over HTTP is the NBP",
            "offer a A 0, ack a A 1, http-efi a A 2, rhel-kernel a A 5",
            BootStage.Kernel,
            "Offered@0 Bound@1 NbpFetched@2 Kernel@5"
        },
        {
            "a firmware offer after Installed starts a new attempt",
            "offer a A 0, phone a A 8, offer a A 20, ack a A 21",
            BootStage.Bound,
            "Offered@20 Bound@21"
        },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Sequences_give_the_stages_and_times(string because, string events, BootStage stage, string reached)
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        foreach (var e in Sequence(events))
        {
            timeline.Publish(e);
        }

        var node = timeline.Get(MacA);
        Assert.NotNull(node);
        Assert.True(stage == node.Stage, $"{because}: stage {node.Stage}, expected {stage}");
        Assert.Equal(reached, Describe(node));
    }

    private static string Describe(NodeBootTimeline node) =>
        string.Join(' ', node.Reached.OrderBy(r => r.Key).Select(r => $"{r.Key}@{(r.Value - T0).TotalSeconds:0}"));

    [Fact]
    public void An_address_reused_by_another_mac_moves_to_it()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        foreach (var e in Sequence("offer a P 0, ack a P 1, tftp a P 2, release a P 3, offer b P 10, ack b P 11, tftp b P 12, kernel b P 13"))
        {
            timeline.Publish(e);
        }

        Assert.Equal(BootStage.NbpFetched, timeline.Get(MacA)!.Stage);
        Assert.Equal("Offered@10 Bound@11 NbpFetched@12 Kernel@13", Describe(timeline.Get(MacB)!));
    }

    [Fact]
    public void An_address_offered_to_another_mac_without_a_release_moves_too()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        foreach (var e in Sequence("offer a P 0, ack a P 1, offer b P 10, tftp b P 12"))
        {
            timeline.Publish(e);
        }

        Assert.Equal(BootStage.Bound, timeline.Get(MacA)!.Stage);
        Assert.Equal(BootStage.NbpFetched, timeline.Get(MacB)!.Stage);
    }

    [Fact]
    public void Every_event_passes_through_and_each_new_stage_is_published_after_its_cause()
    {
        var sink = new ListSink();
        var timeline = new BootTimeline(sink, BootTimelineOptions.ForFleet(Fleet()));
        var events = Sequence("offer a A 0, offer a A 1, ack a A 2, tftp a A 3");
        foreach (var e in events)
        {
            timeline.Publish(e);
        }

        Assert.Equal(
            ["LeaseEvent", "BootStageEvent:Offered", "LeaseEvent", "LeaseEvent", "BootStageEvent:Bound", "TransferEvent", "BootStageEvent:NbpFetched"],
            sink.Events.Select(e => e is BootStageEvent s ? $"BootStageEvent:{s.Stage}" : e.GetType().Name));
        var last = Assert.IsType<BootStageEvent>(sink.Events[^1]);
        Assert.Equal("node01", last.NodeName);
        Assert.Equal(BootStage.Bound, last.Previous);
        Assert.Equal(MacA, last.MacAddress);
        Assert.Equal(FirmwareKind.Bios, last.Timeline.Firmware);
    }

    [Fact]
    public void Memory_is_bounded_the_least_recently_observed_node_goes_first()
    {
        var timeline = new BootTimeline(options: new BootTimelineOptions { MaxNodes = 3 });
        for (var i = 1; i <= 5; i++)
        {
            var mac = PhysicalAddress.Parse($"52-54-00-00-01-0{i}");
            timeline.Publish(new LeaseEvent { Kind = LeaseEventKind.Offered, MacAddress = mac, Address = IPAddress.Parse($"192.0.2.{150 + i}"), Timestamp = T0.AddSeconds(i) });
            if (i == 3)
            {
                // node 1 observed again: node 2 is now the oldest.
                timeline.Publish(new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = PhysicalAddress.Parse("52-54-00-00-01-01"), Address = IPAddress.Parse("192.0.2.151"), Timestamp = T0.AddSeconds(3) });
            }
        }

        Assert.Equal(3, timeline.Count);
        Assert.Equal(2, timeline.Evicted);
        Assert.Equal(["52:54:00:00:01:01", "52:54:00:00:01:04", "52:54:00:00:01:05"], timeline.Snapshot().Select(n => MacAddressText.Format(n.MacAddress)).Order());

        // The evicted node's address no longer attributes: the transfer waits for a lease instead.
        timeline.Publish(new TransferEvent { Kind = TransferEventKind.Completed, Client = new IPEndPoint(IPAddress.Parse("192.0.2.152"), 2070), IPAddress = IPAddress.Parse("192.0.2.152") });
        Assert.Equal(3, timeline.Count);
    }

    [Fact]
    public void Held_events_are_bounded_and_expire()
    {
        var time = new ManualTime(T0);
        var timeline = new BootTimeline(options: new BootTimelineOptions { MaxPendingEvents = 2, PendingLifetime = TimeSpan.FromSeconds(30) }, time: time);
        for (var i = 1; i <= 3; i++)
        {
            var ip = IPAddress.Parse($"192.0.2.{160 + i}");
            timeline.Publish(new TransferEvent { Kind = TransferEventKind.Completed, Client = new IPEndPoint(ip, 2070), IPAddress = ip, Timestamp = T0 });
        }

        Assert.Equal(1, timeline.DroppedPending);
        time.Advance(TimeSpan.FromSeconds(31));
        timeline.Publish(new LeaseEvent { Kind = LeaseEventKind.Granted, MacAddress = MacA, Address = IPAddress.Parse("192.0.2.163"), Timestamp = T0.AddSeconds(31) });
        Assert.Equal(3, timeline.DroppedPending);
        Assert.Equal(BootStage.Bound, timeline.Get(MacA)!.Stage);
    }

    [Fact]
    public async Task Waiting_for_a_count_completes_when_enough_nodes_reach_the_stage_counting_earlier_ones()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        timeline.Publish(Ev("phone", MacA, IpA, 1));
        var wait = timeline.WaitForStageAsync(BootStage.Installed, 2, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(wait.IsCompleted);
        timeline.Publish(Ev("answer", MacB, IpA, 2));
        Assert.False(wait.IsCompleted);
        timeline.Publish(Ev("phone", MacB, IpA, 3));
        var nodes = await wait;
        Assert.Equal(["node01", "node02"], nodes.Select(n => n.NodeName!).Order());
    }

    [Fact]
    public async Task Waiting_for_named_macs_ignores_others_and_a_later_stage_counts()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        var wait = timeline.WaitForStageAsync(BootStage.Kernel, [MacB], TimeSpan.FromSeconds(30), CancellationToken.None);
        timeline.Publish(Ev("phone", MacA, IpA, 1));
        Assert.False(wait.IsCompleted);
        timeline.Publish(Ev("phone", MacB, IpA, 2));
        var node = Assert.Single(await wait);
        Assert.Equal(MacB, node.MacAddress);
        Assert.Equal(BootStage.Installed, node.Stage);
    }

    [Fact]
    public async Task A_timeout_throws_with_what_was_reached_and_what_is_missing()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        timeline.Publish(Ev("phone", MacA, IpA, 1));
        timeline.Publish(Ev("script", MacB, IpA, 2));
        var error = await Assert.ThrowsAsync<BootStageTimeoutException>(
            () => timeline.WaitForStageAsync(BootStage.Installed, [MacA, MacB], TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal(MacA, Assert.Single(error.Reached).MacAddress);
        var missing = Assert.Single(error.Missing);
        Assert.Equal(BootStage.ScriptFetched, missing.Stage);
        Assert.Contains("node02 at ScriptFetched", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dual_stack_listeners_mapped_address_joins_the_ipv4_lease()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        timeline.Publish(Ev("ack", MacA, IpA, 1));
        timeline.Publish(Ev("kernel", MacA, IpA.MapToIPv6(), 2));
        Assert.Equal(BootStage.Kernel, timeline.Get(MacA)!.Stage);
    }

    [Fact]
    public async Task A_rejected_timeout_leaves_no_waiter_and_an_already_reached_stage_returns_at_once()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => timeline.WaitForStageAsync(BootStage.Bound, 1, TimeSpan.FromSeconds(-5)));
        timeline.Publish(Ev("ack", MacA, IpA, 1));
        var nodes = await timeline.WaitForStageAsync(BootStage.Offered, 1, TimeSpan.Zero);
        Assert.Equal(MacA, Assert.Single(nodes).MacAddress);
    }

    [Fact]
    public async Task Engines_publishing_from_many_threads_bring_every_node_to_installed()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        const int Threads = 8, PerThread = 250;
        var wait = timeline.WaitForStageAsync(BootStage.Installed, Threads * PerThread, TimeSpan.FromSeconds(30));
        var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var mac = new PhysicalAddress([0x52, 0x54, 0x01, (byte)t, (byte)(i >> 8), (byte)i]);
                var ip = new IPAddress([10, (byte)t, (byte)(i >> 8), (byte)i]);
                foreach (var code in new[] { "offer", "ack", "tftp", "ipxe", "script", "kernel", "initrd", "answer", "phone" })
                {
                    timeline.Publish(Ev(code, mac, ip, 0));
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(Threads * PerThread, (await wait).Count);
        Assert.All(timeline.Snapshot(), n => Assert.Equal(9, n.Reached.Count));
    }

    [Fact]
    public void Nodes_are_counted_per_current_stage()
    {
        var timeline = new BootTimeline(options: BootTimelineOptions.ForFleet(Fleet()));
        foreach (var e in Sequence("offer a A 0, ack a A 1, tftp a A 2, offer b P 3"))
        {
            timeline.Publish(e);
        }

        var counts = timeline.CountByStage();
        Assert.Equal(Enum.GetValues<BootStage>().Length, counts.Count);
        Assert.Equal(1, counts[BootStage.NbpFetched]);
        Assert.Equal(1, counts[BootStage.Offered]);
        Assert.Equal(0, counts[BootStage.Installed]);
    }

    [Fact]
    public async Task Cancelling_a_wait_cancels_it()
    {
        var timeline = new BootTimeline();
        using var cancel = new CancellationTokenSource();
        var wait = timeline.WaitForStageAsync(BootStage.Installed, 1, Timeout.InfiniteTimeSpan, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Theory]
    [InlineData("/ubuntu-24.04/casper/vmlinuz", BootStage.Kernel)]
    [InlineData("/debian-12/debian-installer/amd64/linux", BootStage.Kernel)]
    [InlineData("/rhel-9/images/pxeboot/initrd.img", BootStage.Initrd)]
    [InlineData("/debian-12/debian-installer/amd64/initrd.gz", BootStage.Initrd)]
    [InlineData("/other/vmlinuz-6.8", BootStage.Kernel)]
    [InlineData("/other/bzImage", BootStage.Kernel)]
    [InlineData("/other/initramfs.img", BootStage.Initrd)]
    [InlineData("/ipxe.efi", BootStage.NbpFetched)]
    [InlineData("/boot/52:54:00:00:00:01.ipxe", BootStage.ScriptFetched)]
    [InlineData("/ks/52-54-00-00-00-02.cfg", BootStage.AnswerFile)]
    [InlineData("/preseed/525400000003.cfg", BootStage.AnswerFile)]
    [InlineData("/nocloud/52:54:00:00:00:01/meta-data", BootStage.AnswerFile)]
    [InlineData("/phone-home/52:54:00:00:00:01", BootStage.Installed)]
    [InlineData("/ubuntu-24.04/ubuntu-24.04-live-server-amd64.iso", BootStage.None)]
    [InlineData("/boot/not-a-mac.ipxe", BootStage.None)]
    [InlineData("", BootStage.None)]
    public void Http_paths_classify_by_the_fleet_then_by_convention(string path, BootStage stage)
    {
        Assert.Equal(stage, new HttpArtifactClassifier(Fleet()).Classify(path, out _));
    }

    [Fact]
    public void A_base_url_with_a_path_classifies_below_it_only()
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lab.yaml"))
            .Replace("  ipxeScriptUrl:", "  httpBaseUrl: http://192.0.2.1/nf/\n  ipxeScriptUrl:", StringComparison.Ordinal);
        var loaded = FleetLoader.Parse(yaml, "lab.yaml", Path.GetTempPath());
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var classifier = new HttpArtifactClassifier(loaded.Fleet!);
        Assert.Equal(BootStage.Kernel, classifier.Classify("/nf/ubuntu-24.04/casper/vmlinuz", out _));
        Assert.Equal(BootStage.ScriptFetched, classifier.Classify("/nf/boot/52:54:00:00:00:01.ipxe", out var mac));
        Assert.Equal(MacA, mac);
        Assert.Equal(BootStage.None, classifier.Classify("/ubuntu-24.04/casper/vmlinuz", out _));
    }

    private sealed class ListSink : IBootEventSink
    {
        public List<BootEvent> Events { get; } = [];

        public void Publish(BootEvent bootEvent) => Events.Add(bootEvent);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
