using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Lab;
using NodeFoundry.Simulation;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Simulation;

/// <summary>
/// The boot-storm simulator against a live NodeFoundry stack on loopback: every node's lease, NBP, script, kernel
/// and initrd; the same through the seeded loss relay; and a server without the NBP failing every node at TFTP.
/// No timing is asserted: speed is measured in bench/storm.
/// </summary>
[Collection(BootStormCollection.Name)]
public sealed class FleetSimulatorTests
{
    [Fact]
    public async Task Fifty_nodes_powered_on_at_once_each_get_a_lease_the_NBP_the_script_the_kernel_and_the_initrd()
    {
        const int nodes = 50;
        using var lab = new StormLab(nodes);
        using var simulator = new FleetSimulator(StormLab.Storm(nodes));
        using var stack = lab.NewStack(simulator.DhcpReplyEndPoint);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var run = stack.RunAsync(new NullSink(), stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        Aim(simulator, stack.Dhcp!.LocalEndPoint!, stack.Tftp!.LocalEndPoint!);
        var progress = new List<StormProgress>();

        var report = await simulator.RunAsync(new Collect(progress), stop.Token);

        Assert.True(report.Failed == 0, string.Join("\n", report.Failures.Select(f => $"{f.Stage}/{f.Cause} × {f.Count}: {f.Example}")));
        Assert.Equal(nodes, report.Booted);
        Assert.Equal(nodes, report.NodeResults.Count);
        Assert.Equal(nodes, report.NodeResults.Select(n => n.LeasedAddress).Distinct().Count());
        foreach (var node in report.NodeResults)
        {
            Assert.True(node.Booted, node.ToString());
            Assert.Equal(StormLab.Mac(node.Index), node.MacAddress);
            Assert.Equal("undionly.kpxe", node.BootFile);
            Assert.Equal(StormLab.NbpBytes, node.NbpBytes);
            Assert.Equal($"/boot/{MacAddressText.Format(node.MacAddress)}.ipxe", node.ScriptUrl!.AbsolutePath);
            Assert.True(node.ScriptBytes > 0);
            Assert.Equal(StormLab.KernelBytes, node.KernelBytes);
            Assert.Equal(StormLab.InitrdBytes, node.InitrdBytes);
            Assert.Equal(1, node.HttpConnections); // script, kernel and initrd over one keep-alive connection
            Assert.Equal(Enum.GetValues<StormStage>(), node.StageDurations.Keys.Order());
        }

        Assert.Equal(report.NodeResults.Sum(n => n.BytesMoved), report.BytesMoved);
        Assert.All(report.Stages, stage => Assert.Equal(nodes, stage.Completed));
        Assert.All(report.Stages, stage => Assert.True(stage.P50 <= stage.P95 && stage.P95 <= stage.P99 && stage.P99 <= stage.Max));
        Assert.Equal(report.Duration, report.TimeToAllBooted);
        Assert.NotEmpty(progress);
        Assert.Equal(nodes, progress[^1].Booted);

        // The server saw it the same way: every node reached the initrd on the stack's own timeline.
        var reached = await stack.Timeline.WaitForStageAsync(BootStage.Initrd, report.NodeResults.Select(n => n.MacAddress).ToArray(), TimeSpan.FromSeconds(10), stop.Token);
        Assert.Equal(nodes, reached.Count);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Through_the_seeded_loss_relay_at_1_percent_every_node_still_boots()
    {
        const int nodes = 30;
        using var lab = new StormLab(nodes);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        // DHCP requests and TFTP both ways go through relays that lose 1%; DHCP replies go straight to giaddr.
        using var simulator = new FleetSimulator(StormLab.Storm(nodes));
        using var stack = lab.NewStack(simulator.DhcpReplyEndPoint);
        var run = stack.RunAsync(new NullSink(), stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        var loss = new UdpImpairment { LossPercent = 1 };
        await using var dhcpRelay = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0), Target = stack.Dhcp!.LocalEndPoint!, ClientToServer = loss, Seed = 7,
        }, stop.Token);
        await using var tftpRelay = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0), Target = stack.Tftp!.LocalEndPoint!, ClientToServer = loss, ServerToClient = loss, Seed = 8,
        }, stop.Token);
        Aim(simulator, dhcpRelay.LocalEndPoint, tftpRelay.LocalEndPoint);

        var report = await simulator.RunAsync(null, stop.Token);

        Assert.True(report.Failed == 0, string.Join("\n", report.Failures.Select(f => $"{f.Stage}/{f.Cause} × {f.Count}: {f.Example}")));
        Assert.Equal(nodes, report.Booted);
        Assert.All(report.NodeResults, node => Assert.Equal(StormLab.NbpBytes, node.NbpBytes));
        Assert.All(report.NodeResults, node => Assert.Equal(StormLab.KernelBytes + StormLab.InitrdBytes, node.KernelBytes + node.InitrdBytes));
        var relayed = tftpRelay.Counters;
        Assert.True(relayed.LostToServer + relayed.LostToClients > 0, "the relay lost nothing: the test did not test loss");
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_server_without_the_NBP_fails_every_node_at_the_NBP_stage_with_the_servers_error()
    {
        const int nodes = 5;
        using var lab = new StormLab(nodes, withNbp: false);
        using var simulator = new FleetSimulator(StormLab.Storm(nodes));
        using var stack = lab.NewStack(simulator.DhcpReplyEndPoint);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = stack.RunAsync(new NullSink(), stop.Token);
        await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));

        Aim(simulator, stack.Dhcp!.LocalEndPoint!, stack.Tftp!.LocalEndPoint!);

        var report = await simulator.RunAsync(null, stop.Token);

        Assert.Equal(0, report.Booted);
        Assert.Null(report.TimeToAllBooted);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(StormStage.Nbp, failure.Stage);
        Assert.Equal(StormFailureCause.ServerError, failure.Cause);
        Assert.Equal(nodes, failure.Count);
        Assert.Contains("FileNotFound", failure.Example, StringComparison.Ordinal);
        Assert.All(report.NodeResults, node => Assert.NotNull(node.LeasedAddress)); // DHCP worked; TFTP did not
        Assert.Equal(nodes, report.Stages.Single(s => s.Stage == StormStage.Request).Completed);
        Assert.Equal(0, report.Stages.Single(s => s.Stage == StormStage.Nbp).Completed);
        Assert.Equal(0, report.Stages.Single(s => s.Stage == StormStage.Script).Completed);
        await stop.CancelAsync();
        await run;
    }

    /// <summary>The stack's ports are the system's pick, known once it listens (TFTP is not on next-server:69 here).</summary>
    private static void Aim(FleetSimulator simulator, IPEndPoint dhcp, IPEndPoint tftp)
    {
        simulator.DhcpServer = dhcp;
        simulator.TftpServer = tftp;
    }

    /// <summary>Keeps every progress report (IProgress without Progress&lt;T&gt;'s synchronization-context posting).</summary>
    private sealed class Collect(List<StormProgress> into) : IProgress<StormProgress>
    {
        public void Report(StormProgress value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }

    private sealed class NullSink : IBootEventSink
    {
        public void Publish(BootEvent bootEvent)
        {
        }
    }
}
