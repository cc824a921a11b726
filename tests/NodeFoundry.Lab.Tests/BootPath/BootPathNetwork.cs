using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.BootPath;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.BootPath;

/// <summary>
/// One boot segment owned by a test, in namespaces named <c>nfbp…</c>: a server namespace whose bridge holds
/// 192.0.2.1/24, a peer namespace on the same bridge holding 192.0.2.2/24 (a second DHCP server), and a console
/// namespace with one NIC (192.0.2.250/24) from which the tester probes, as an operator's console on the
/// provisioning VLAN would. Dispose ends the processes it started (by PID) and deletes the namespaces.
/// </summary>
internal sealed class BootPathNetwork : IDisposable
{
    public const string ServerAddress = "192.0.2.1";
    public const string PeerAddress = "192.0.2.2";
    public const string ConsoleInterface = "c1";
    public const string PeerInterface = "r1";
    public const string Bridge = "nfbr0";

    private static int _sequence;
    private readonly List<LabProcess> _processes = [];
    private readonly List<string> _namespaces = [];

    public BootPathNetwork()
    {
        Requirements.RequireRoot();
        var id = string.Create(CultureInfo.InvariantCulture, $"nfbp{Environment.ProcessId % 100000}{(char)('a' + (Interlocked.Increment(ref _sequence) % 26))}");
        ServerNamespace = id + "-s";
        PeerNamespace = id + "-r";
        ConsoleNamespace = id + "-c";
        try
        {
            foreach (var ns in new[] { ServerNamespace, PeerNamespace, ConsoleNamespace })
            {
                Ip("netns", "add", ns);
                _namespaces.Add(ns);
                Ip("-n", ns, "link", "set", "lo", "up");
            }

            Ip("-n", ServerNamespace, "link", "add", Bridge, "type", "bridge");
            Ip("-n", ServerNamespace, "addr", "add", ServerAddress + "/24", "dev", Bridge);
            Ip("-n", ServerNamespace, "link", "set", Bridge, "up");
            Attach(ConsoleNamespace, ConsoleInterface, "b1", "192.0.2.250/24");
            Attach(PeerNamespace, PeerInterface, "b2", PeerAddress + "/24");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ServerNamespace { get; }

    public string PeerNamespace { get; }

    public string ConsoleNamespace { get; }

    /// <summary>Starts a long-running command in a namespace; ended (by PID) on Dispose.</summary>
    public LabProcess Start(string ns, string command, params string[] arguments)
    {
        var process = LabProcess.Start("ip", ["netns", "exec", ns, command, .. arguments]);
        _processes.Add(process);
        return process;
    }

    /// <summary>Options that probe from the console namespace by broadcast on its NIC, with sockets made inside it.</summary>
    public BootPathOptions ConsoleOptions() => new()
    {
        InterfaceName = ConsoleInterface,
        BindUdp = endpoint => NamespaceSockets.BindUdp(ConsoleNamespace, endpoint),
        ConnectTcp = async (endpoint, cancel) =>
        {
            var socket = NamespaceSockets.CreateTcp(ConsoleNamespace);
            try
            {
                await socket.ConnectAsync(IPAddress.Parse(endpoint.Host), endpoint.Port, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        // Long enough for dnsmasq and NodeFoundry on a loaded 2-core machine; it bounds the wait, it asserts nothing.
        OfferWindow = TimeSpan.FromSeconds(3),
        Timeout = TimeSpan.FromSeconds(20),
    };

    private void Attach(string ns, string inside, string bridgeSide, string cidr)
    {
        Ip("-n", ns, "link", "add", inside, "type", "veth", "peer", "name", bridgeSide, "netns", ServerNamespace);
        Ip("-n", ServerNamespace, "link", "set", bridgeSide, "master", Bridge);
        Ip("-n", ServerNamespace, "link", "set", bridgeSide, "up");
        Ip("-n", ns, "addr", "add", cidr, "dev", inside);
        Ip("-n", ns, "link", "set", inside, "up");
    }

    private static void Ip(params string[] arguments)
    {
        var (exit, output, error) = LabProcess.Run("ip", arguments, TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exit}): {error}{output}");
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _processes.Clear();
        foreach (var ns in _namespaces)
        {
            LabProcess.Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(20));
        }

        _namespaces.Clear();
    }
}
