using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Simulation;

namespace NodeFoundry.Tests.Simulation;

/// <summary>
/// A fleet of <c>nodes</c> tiny custom-profile nodes on loopback (127.0.0.0/24, PXE range .100–.199), its TFTP and
/// HTTP roots filled with deterministic stand-in files, and a <see cref="BootStack"/> serving it whose relay port
/// is the simulator's DHCP socket. Everything lives in a temporary folder deleted on dispose.
/// </summary>
internal sealed class StormLab : IDisposable
{
    public const int NbpBytes = 20_000;      // 14 blocks at blksize 1432
    public const int KernelBytes = 300_000;
    public const int InitrdBytes = 700_000;
    public const ulong FirstMac = 0x02_4E_46_53_00_00UL;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("nodefoundry-storm-");

    public StormLab(int nodes, bool withNbp = true)
    {
        var httpPort = FreeTcpPort();
        var yaml = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            version: 1
            server:
              address: 127.0.0.1
              tftpPort: 69
              httpPort: {httpPort}
              tftpRoot: tftp
              httpRoot: http
              stateDirectory: state
            dhcp:
              mode: authoritative
              port: 67
              answerUnknownPxeClients: true
              scopes:
                - name: storm
                  subnet: 127.0.0.0/24
                  router: 127.0.0.1
                  range: {"{"} start: 127.0.0.2, end: 127.0.0.9 {"}"}
                  leaseTime: 12h
                  pxeRange: {"{"} start: 127.0.0.100, end: 127.0.0.199 {"}"}
                  pxeLeaseTime: 5m
            boot:
              loaders:
                bios: undionly.kpxe
              ipxeScriptUrl: "{"{"}http{"}"}boot/{"{"}mac{"}"}.ipxe"
            profiles:
              tiny:
                os: custom
                kernel: tiny/vmlinuz
                initrd: tiny/initrd
                cmdline: "console=ttyS0"
            nodes:

            """));
        for (var i = 0; i < nodes; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ name: storm{i:D3}, mac: \"{MacAddressText.Format(Mac(i))}\", profile: tiny }}\n");
        }

        var path = Path.Combine(_folder.FullName, "storm.yaml");
        File.WriteAllText(path, yaml.ToString());
        var loaded = FleetLoader.LoadFile(path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        Fleet = loaded.Fleet!;
        if (withNbp)
        {
            Write("tftp/undionly.kpxe", NbpBytes);
        }
        else
        {
            Directory.CreateDirectory(Path.Combine(_folder.FullName, "tftp"));
        }

        Write("http/tiny/vmlinuz", KernelBytes);
        Write("http/tiny/initrd", InitrdBytes);
    }

    public FleetConfig Fleet { get; }

    public static System.Net.NetworkInformation.PhysicalAddress Mac(int index) =>
        new(BitConverter.GetBytes(FirstMac + (ulong)index).Take(6).Reverse().ToArray());

    /// <summary>The stack, its relay port pointed at <paramref name="dhcpReplies"/>; every engine on loopback, ports picked by the system (HTTP: the fleet's).</summary>
    public BootStack NewStack(IPEndPoint dhcpReplies) => new(Fleet, new BootStackOptions
    {
        ListenAddress = IPAddress.Loopback,
        InterfaceName = string.Empty,
        DhcpPort = 0,
        DhcpRelayPort = dhcpReplies.Port,
        TftpPort = 0,
        NoJournal = true,
    });

    /// <summary>A storm of <paramref name="nodes"/> from the lab's first MAC; each node sends TFTP and HTTP from its leased 127.0.0.x.</summary>
    public static StormOptions Storm(int nodes) => new()
    {
        DhcpServer = new IPEndPoint(IPAddress.Loopback, 9), // replaced once the stack is bound
        DhcpReplyEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        Nodes = nodes,
        FirstMac = FirstMac,
        BindLeasedAddress = true,
        Deadline = TimeSpan.FromSeconds(120),
        Seed = 2026,
    };

    public void Dispose() => _folder.Delete(recursive: true);

    private void Write(string relative, int length)
    {
        var path = Path.Combine(_folder.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
