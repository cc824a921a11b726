using System.Globalization;
using System.Net;
using NodeFoundry.Lab;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>
/// Seeded loss on a storm's UDP: three <see cref="UdpImpairmentRelay"/>s in the storm's own process. DHCP
/// requests go through one on their way to the server; the server's replies (sent to giaddr on the relay port)
/// land on a second, which forwards them to the simulator's socket; TFTP passes both ways through a third,
/// which mirrors the server's transfer ports. HTTP is TCP and is not touched.
/// </summary>
internal sealed class StormImpairment : IAsyncDisposable
{
    private readonly UdpImpairmentRelay[] _relays;
    private readonly double _loss;

    private StormImpairment(double loss, UdpImpairmentRelay[] relays)
    {
        _loss = loss;
        _relays = relays;
    }

    public static StormImpairment Start(double lossPercent, int seed, IPAddress relay, int replyPort, FleetSimulator simulator, IPEndPoint tftpServer, CancellationToken stop)
    {
        var loss = new UdpImpairment { LossPercent = lossPercent };
        var lifetime = simulator.Options.Deadline + TimeSpan.FromMinutes(1);
        var requests = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(relay, 0), Target = simulator.DhcpServer, UpstreamAddress = relay,
            ClientToServer = loss, Seed = seed, Lifetime = lifetime,
        }, stop);
        var replies = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(relay, replyPort), Target = simulator.DhcpReplyEndPoint, UpstreamAddress = relay,
            ClientToServer = loss, Seed = seed + 1, Lifetime = lifetime,
        }, stop);
        var tftp = UdpImpairmentRelay.Start(new UdpImpairmentRelayOptions
        {
            Listen = new IPEndPoint(relay, 0), Target = tftpServer, ClientToServer = loss, ServerToClient = loss,
            Seed = seed + 2, Lifetime = lifetime, MaxMappings = Math.Max(4096, simulator.Options.Nodes * 2),
        }, stop);
        simulator.DhcpServer = requests.LocalEndPoint;
        simulator.TftpServer = tftp.LocalEndPoint;
        return new StormImpairment(lossPercent, [requests, replies, tftp]);
    }

    /// <summary>What was lost where, for the report.</summary>
    public string Describe()
    {
        var (requests, replies, tftp) = (_relays[0].Counters, _relays[1].Counters, _relays[2].Counters);
        return string.Create(CultureInfo.InvariantCulture,
            $"loss {_loss:0.##}%: DHCP requests lost {requests.LostToServer}/{requests.FromClients}, DHCP replies lost {replies.LostToServer}/{replies.FromClients}, TFTP lost {tftp.LostToServer}/{tftp.FromClients} to the server and {tftp.LostToClients}/{tftp.FromServer} to the nodes");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
