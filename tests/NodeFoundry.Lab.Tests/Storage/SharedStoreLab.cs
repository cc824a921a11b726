using System.Globalization;
using System.Net;
using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Storage;

/// <summary>
/// Two NodeFoundry servers (`nodefoundry serve`, real processes) in namespaces of their own, behind two relay
/// addresses, sharing one PostgreSQL database:
/// <code>
///  nfpg…-a: server A 192.0.2.1 ─┐
///                               ├─ bridge in nfpg…-r: relays 192.0.2.2 and 192.0.2.3 (the simulated clients)
///  nfpg…-b: server B 192.0.2.4 ─┘
/// </code>
/// The servers reach PostgreSQL over its Unix socket (shared file system). Leased addresses come from 198.18.0.0/20
/// (RFC 2544 benchmarking space): they only appear inside DHCP payloads, every reply goes to a relay address.
/// Dispose ends the servers it started and deletes the namespaces.
/// </summary>
internal sealed class SharedStoreLab : IDisposable
{
    public static readonly IPEndPoint ServerA = new(IPAddress.Parse("192.0.2.1"), 67);
    public static readonly IPEndPoint ServerB = new(IPAddress.Parse("192.0.2.4"), 67);
    public static readonly IPEndPoint RelayA = new(IPAddress.Parse("192.0.2.2"), 67);
    public static readonly IPEndPoint RelayB = new(IPAddress.Parse("192.0.2.3"), 67);

    private static int _sequence;
    private readonly List<LabProcess> _servers = [];

    public SharedStoreLab(string connectionString)
    {
        Requirements.RequireRoot();
        Id = string.Create(CultureInfo.InvariantCulture, $"nfpg{Environment.ProcessId % 100000}{(char)('a' + (Interlocked.Increment(ref _sequence) % 26))}");
        Folder = Directory.CreateTempSubdirectory("nfpg-lab-").FullName;
        File.WriteAllText(Path.Combine(Folder, "pg.conn"), connectionString + "\n");
        try
        {
            foreach (var ns in new[] { NamespaceA, NamespaceB, RelayNamespace })
            {
                Ip("netns", "add", ns);
                Ip("-n", ns, "link", "set", "lo", "up");
            }

            Ip("-n", RelayNamespace, "link", "add", "nfpgbr", "type", "bridge");
            Ip("-n", RelayNamespace, "addr", "add", "192.0.2.2/24", "dev", "nfpgbr");
            Ip("-n", RelayNamespace, "addr", "add", "192.0.2.3/24", "dev", "nfpgbr");
            Ip("-n", RelayNamespace, "link", "set", "nfpgbr", "up");
            Attach(NamespaceA, "a", "192.0.2.1/24");
            Attach(NamespaceB, "b", "192.0.2.4/24");
            File.WriteAllText(FleetPath("a"), Fleet(ServerA.Address, "a"));
            File.WriteAllText(FleetPath("b"), Fleet(ServerB.Address, "b"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }

    public string Folder { get; }

    public string NamespaceA => Id + "-a";

    public string NamespaceB => Id + "-b";

    public string RelayNamespace => Id + "-r";

    /// <summary>Starts `nodefoundry serve` for server "a" or "b" (DHCP only) and waits until it serves (bounded).</summary>
    public LabProcess StartServer(string which)
    {
        var ns = which == "a" ? NamespaceA : NamespaceB;
        var process = LabProcess.Start("ip", ["netns", "exec", ns, "dotnet", NodeFoundryProcess.HostDll, "serve", "--config", FleetPath(which), "--no-tftp", "--no-http"]);
        lock (_servers)
        {
            _servers.Add(process);
        }

        if (!process.WaitForOutput("nodefoundry: serving", TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"server {which} did not start.\nstdout: {process.StandardOutput}\nstderr: {process.StandardError}");
        }

        return process;
    }

    /// <summary>A relay's clients, bound in the relay namespace, first forwarding to <paramref name="server"/>.</summary>
    public RelayDhcpClient Relay(IPEndPoint relay, IPEndPoint server) =>
        new(NamespaceSockets.BindUdp(RelayNamespace, relay), server);

    public void Dispose()
    {
        lock (_servers)
        {
            foreach (var server in _servers)
            {
                server.Dispose();
            }

            _servers.Clear();
        }

        foreach (var ns in new[] { NamespaceA, NamespaceB, RelayNamespace })
        {
            LabProcess.Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(20));
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // reaped with the temp folder later
        }
    }

    public string FleetPath(string which) => Path.Combine(Folder, $"fleet-{which}.yaml");

    /// <summary>
    /// One scope both relays belong to, so both servers allocate from the same range: the database arbitrates. The
    /// range (2,148 addresses) is barely larger than the 2,000 clients, so the servers' allocations must meet.
    /// </summary>
    private static string Fleet(IPAddress address, string which) => $$"""
        server:
          address: {{address}}
          stateDirectory: state-{{which}}
        dhcp:
          maxRequestsPerMacPerSecond: 100
          scopes:
            - name: racks
              subnet: 198.18.0.0/20
              range: { start: 198.18.0.10, end: 198.18.8.109 }
              leaseTime: 1h
              relayAgents: [{{RelayA.Address}}, {{RelayB.Address}}]
        storage:
          kind: postgresql
          connection: file:pg.conn
        """;

    private void Attach(string ns, string name, string cidr)
    {
        var inside = "nfpg" + name + "0";
        var outside = "nfpg" + name + "1";
        Ip("-n", ns, "link", "add", inside, "type", "veth", "peer", "name", outside, "netns", RelayNamespace);
        Ip("-n", ns, "addr", "add", cidr, "dev", inside);
        Ip("-n", ns, "link", "set", inside, "up");
        Ip("-n", RelayNamespace, "link", "set", outside, "master", "nfpgbr");
        Ip("-n", RelayNamespace, "link", "set", outside, "up");
    }

    private static void Ip(params string[] arguments)
    {
        var (exit, output, error) = LabProcess.Run("ip", arguments, TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exit}): {error}{output}");
        }
    }
}
