using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Dhcp;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Jobs;
using NodeFoundry.Tests.Surface;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What Start-NfBootStack.Tests.ps1 takes for granted, checked without PowerShell: the fixture fleet, copied to
/// a scratch folder (the stack creates its TFTP root and state folder beside the fleet file), runs as one
/// BootServiceJob on 127.0.0.1 with high ports; a relay-style probe with -RelayPort gets a lease, the job's Output
/// carries the LeaseEvent and the timeline's BootStageEvent, and the timeline reaches Bound for node01.
/// </summary>
public sealed class BootStackPesterAssumptionTests : IDisposable
{
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52:54:00:00:00:01");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("nf-stack-pester-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task A_stack_job_on_loopback_leases_node01_and_its_timeline_reaches_Bound()
    {
        string fleetPath = Path.Combine(_scratch.FullName, "fleet.yaml");
        File.Copy(Path.Combine(ModuleLayout.RepositoryRoot, "tests", "Pester", "fixtures", "fleet.yaml"), fleetPath);
        FleetConfig fleet = FleetLoader.LoadFileOrThrow(fleetPath);
        using var probe = new DhcpProbeClient(new IPEndPoint(IPAddress.Loopback, 9), new IPEndPoint(IPAddress.Loopback, 0));
        var stack = new BootStack(fleet, new BootStackOptions
        {
            ListenAddress = IPAddress.Loopback,
            DhcpPort = 0,
            TftpPort = 0,
            HttpPort = 0,
            DhcpRelayPort = probe.LocalEndPoint.Port,
            JournalPath = Path.Combine(_scratch.FullName, "leases.journal"),
        });
        // What BootServiceJob runs the stack with; ListOutput stands in for the job's Output.
        var output = new ListOutput();
        using var job = new BootServiceRunner(stack, output, 1000);
        job.Start();
        try
        {
            await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith($"stack: dhcp@127.0.0.1:{stack.Dhcp!.LocalEndPoint!.Port}, tftp@127.0.0.1:", job.Name, StringComparison.Ordinal);
            probe.Server = stack.Dhcp!.LocalEndPoint!;

            DhcpProbeResult result = probe.Probe(new DhcpProbeRequest(Node01, Architecture: 0) { CompleteLease = true });
            Assert.True(result.Acknowledged, result.Failure);

            // Wait-NfNode -Stage Bound -Name node01
            NodeBootTimeline node = Assert.Single(await stack.Timeline.WaitForStageAsync(BootStage.Bound, [Node01], TimeSpan.FromSeconds(5)));
            Assert.Equal("node01", node.NodeName);
            for (var waited = 0; waited < 50 && !output.Snapshot().Any(e => e is BootStageEvent { Stage: BootStage.Bound }); waited++)
            {
                await Task.Delay(100);
            }

            Assert.Contains(output.Snapshot(), e => e is LeaseEvent { Kind: LeaseEventKind.Granted });
            Assert.Contains(output.Snapshot(), e => e is BootStageEvent { Stage: BootStage.Bound, NodeName: "node01" });
        }
        finally
        {
            Assert.True(job.Stop(TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(BootRunState.Stopped, job.State);
        Assert.True(File.Exists(Path.Combine(_scratch.FullName, "leases.journal")));
    }

    [Fact]
    public void A_stack_that_fails_to_bind_keeps_the_address_in_use_error_id()
    {
        var failure = new BootStackException("tftp@127.0.0.1:69", "tftp@127.0.0.1:69 failed: address in use", new SocketException((int)SocketError.AddressAlreadyInUse));

        Assert.Equal("NfBootServiceAddressInUse", BootServiceFailure.Classify(failure).ErrorId);
    }
}
