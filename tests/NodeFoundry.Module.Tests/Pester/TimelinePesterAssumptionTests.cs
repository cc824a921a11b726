using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Probe;
using NodeFoundry.Tests.Jobs;
using NodeFoundry.Tests.Surface;
using NodeFoundry.Timeline;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What Get-NfBootTimeline.Tests.ps1 and Get-NfLease.Tests.ps1 take for granted, checked without PowerShell: the
/// timeline of a stack on loopback is empty until a node leases, then holds node01 alone (named from the fleet, with
/// its address, Bound, Offered reached); Wait-NfNode's waits are satisfied by a later stage and by nodes that got
/// there before the call; a count nobody reaches times out naming node01 at Bound; MACs bind from the three text
/// forms operators type; a file that is not a journal is refused (NfLeaseJournalUnreadable), a missing one is empty.
/// </summary>
public sealed class TimelinePesterAssumptionTests : IDisposable
{
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52:54:00:00:00:01");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("nf-timeline-pester-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Theory]
    [InlineData("52:54:00:00:00:01")]
    [InlineData("52-54-00-00-00-01")]
    [InlineData("525400000001")]
    public void A_mac_typed_as_text_parses_as_PowerShell_binds_it(string text) =>
        // PowerShell converts a string argument to PhysicalAddress through its static Parse(string).
        Assert.Equal(Node01, PhysicalAddress.Parse(text));

    [Fact]
    public async Task The_stack_timeline_holds_node01_once_it_leases_and_waits_behave_as_the_suite_expects()
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
        using var job = new BootServiceRunner(stack, new ListOutput(), 1000);
        job.Start();
        try
        {
            await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Empty(stack.Timeline.Snapshot());
            probe.Server = stack.Dhcp!.LocalEndPoint!;

            DhcpProbeResult result = probe.Probe(new DhcpProbeRequest(Node01, Architecture: 0) { CompleteLease = true });
            Assert.True(result.Acknowledged, result.Failure);
            await stack.Timeline.WaitForStageAsync(BootStage.Bound, [Node01], TimeSpan.FromSeconds(5));

            // Get-NfBootTimeline and its table view (Name, MacAddress, Stage, IPAddress).
            NodeBootTimeline node = Assert.Single(stack.Timeline.Snapshot());
            Assert.Equal(("node01", BootStage.Bound, IPAddress.Parse("192.0.2.11")), (node.NodeName, node.Stage, node.IPAddress));
            Assert.True(node.HasReached(BootStage.Offered));
            Assert.NotNull(node.At(BootStage.Bound));

            // Wait-NfNode -Stage Offered -Name node01 / -Count 1: already satisfied, at once.
            Task<IReadOnlyList<NodeBootTimeline>> offered = stack.Timeline.WaitForStageAsync(BootStage.Offered, [Node01], TimeSpan.FromSeconds(30));
            Assert.Equal("node01", Assert.Single(await offered.WaitAsync(TimeSpan.FromSeconds(5))).NodeName);
            Assert.Single(await stack.Timeline.WaitForStageAsync(BootStage.Bound, 1, TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(5)));

            // Wait-NfNode -Stage Installed -Count 2 -TimeoutSec 1: nothing reached, node01 missing at Bound.
            var late = await Assert.ThrowsAsync<BootStageTimeoutException>(() => stack.Timeline.WaitForStageAsync(BootStage.Installed, 2, TimeSpan.FromSeconds(1)));
            Assert.Empty(late.Reached);
            NodeBootTimeline missing = Assert.Single(late.Missing);
            Assert.Equal(("node01", BootStage.Bound), (missing.NodeName, missing.Stage));
            Assert.Equal("52:54:00:00:00:01", MacAddressText.Format(missing.MacAddress));

            // Wait-NfNode -Stage Installed -Name node01, node02: node02 never seen is missing at None.
            var named = await Assert.ThrowsAsync<BootStageTimeoutException>(() =>
                stack.Timeline.WaitForStageAsync(BootStage.Installed, [Node01, PhysicalAddress.Parse("52:54:00:00:00:02")], TimeSpan.FromSeconds(1)));
            Assert.Contains(named.Missing, m => m.MacAddress.Equals(Node01) && m.Stage == BootStage.Bound);
            Assert.Contains(named.Missing, m => m.MacAddress.Equals(PhysicalAddress.Parse("52:54:00:00:00:02")) && m.Stage == BootStage.None);
        }
        finally
        {
            Assert.True(job.Stop(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public void A_file_that_is_not_a_journal_is_refused_and_a_missing_one_reads_empty()
    {
        string foreign = Path.Combine(_scratch.FullName, "not-a-journal.journal");
        File.WriteAllText(foreign, "this is not a NodeFoundry lease journal\n");

        // Get-NfLease maps InvalidDataException onto NfLeaseJournalUnreadable (ReadError).
        Assert.Throws<InvalidDataException>(() => LeaseJournal.ReadLeases(foreign));
        Assert.Empty(LeaseJournal.ReadLeases(Path.Combine(_scratch.FullName, "missing.journal")));
    }
}
