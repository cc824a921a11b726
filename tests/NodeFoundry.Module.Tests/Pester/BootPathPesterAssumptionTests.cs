using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.BootPath;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.PowerShell.Jobs;
using NodeFoundry.Tests.Jobs;
using NodeFoundry.Tests.Surface;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What Test-NfBootPath.Tests.ps1 takes for granted, checked without PowerShell: the bootpath fixture fleet with its
/// HTTP port filled in and stand-in files beside it, run as a stack job on 127.0.0.1 answering relays on a chosen
/// port, passes every check of the tester as Test-NfBootPath configures it; without the arm64 loader, the TFTP check
/// says file not found in the TFTP root.
/// </summary>
public sealed class BootPathPesterAssumptionTests : IDisposable
{
    private static readonly PhysicalAddress Node01 = PhysicalAddress.Parse("52:54:00:00:00:01");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("nf-bootpath-pester-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task The_fixture_stack_passes_every_check_and_a_missing_loader_is_file_not_found()
    {
        int httpPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        int relayPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        string fleetPath = Path.Combine(_scratch.FullName, "fleet.yaml");
        string yaml = File.ReadAllText(Path.Combine(ModuleLayout.RepositoryRoot, "tests", "Pester", "fixtures", "bootpath-fleet.yaml"));
        File.WriteAllText(fleetPath, yaml.Replace("HTTP_PORT", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        foreach (string file in new[] { "tftp/undionly.kpxe", "tftp/ipxe.efi", "tftp/ipxe-arm64.efi", "http/ipxe.efi", "http/debian/linux", "http/debian/initrd.gz" })
        {
            string path = Path.Combine(_scratch.FullName, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[6000]);
        }

        FleetConfig fleet = FleetLoader.LoadFileOrThrow(fleetPath);
        var stack = new BootStack(fleet, new BootStackOptions
        {
            ListenAddress = IPAddress.Loopback,
            DhcpPort = 0,
            TftpPort = 0,
            HttpPort = httpPort,
            DhcpRelayPort = relayPort,
            JournalPath = Path.Combine(_scratch.FullName, "leases.journal"),
        });
        var output = new ListOutput();
        using var job = new BootServiceRunner(stack, output, 1000);
        job.Start();
        try
        {
            await stack.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            // What Test-NfBootPath -Server 127.0.0.1:$DhcpPort -RelayPort -TftpPort -FleetPath -MacAddress -OfferWindowSec 2 -TimeoutSec 20 builds.
            var options = new BootPathOptions
            {
                Servers = [stack.Dhcp!.LocalEndPoint!],
                RelayPort = relayPort,
                TftpPort = stack.Tftp!.LocalEndPoint!.Port,
                MacAddress = Node01,
                OfferWindow = TimeSpan.FromSeconds(2),
                Timeout = TimeSpan.FromSeconds(20),
                Expect = BootPathExpectations.FromFleet(fleet, Node01),
            };
            IReadOnlyList<BootPathCheck> checks = await new BootPathTester(options).RunAsync();
            Assert.True(checks.All(c => c.Passed), string.Join("\n", checks));
            Assert.Equal(["Dhcp", "Tftp", "Http", "AnswerFile"], checks.Select(c => c.Stage.ToString()).Distinct());
            Assert.Equal(3, checks.Count(c => c.Stage == BootPathStage.Tftp));
            Assert.Equal(2, checks.Count(c => c.Target.StartsWith("preseed", StringComparison.Ordinal)));

            File.Delete(Path.Combine(_scratch.FullName, "tftp", "ipxe-arm64.efi"));
            checks = await new BootPathTester(options with { Architectures = [11] }).RunAsync();
            BootPathCheck missing = checks.Single(c => c.Target == "tftp://127.0.0.1/ipxe-arm64.efi");
            Assert.Equal(BootPathCause.TftpFileNotFound, missing.Cause);
        }
        finally
        {
            Assert.True(job.Stop(TimeSpan.FromSeconds(10)));
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
