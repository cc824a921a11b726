using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Bench;

/// <summary>
/// DISCOVER burst: N distinct network-boot clients, one DISCOVER each, all sent at once through one socket
/// as a relay (giaddr = the relay address, so servers answer to giaddr:67 on that socket). Measures when
/// each client first gets an OFFER. Clients that have none when the firmware would retransmit (PXE: 4 s,
/// then 8 s later) resend their DISCOVER with the same xid, as PXE ROMs do, until the deadline.
/// Prints one line of key=value pairs for bench/dhcp/run.sh.
///
/// Addresses: the servers hand out yiaddrs from a scope in 198.18.0.0/15 (RFC 2544 benchmarking block).
/// Those addresses only ever appear inside DHCP payloads as yiaddr: replies go to the relay (giaddr)
/// and this tool never sends a packet to a yiaddr.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var options = BurstOptions.Parse(args);
            var result = Burst.Run(options);
            Console.WriteLine(result.Format());
            return 0;
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"nodefoundry-bench: {ex.Message}");
            Console.Error.WriteLine(BurstOptions.Usage);
            return 2;
        }
        catch (SocketException ex)
        {
            Console.Error.WriteLine($"nodefoundry-bench: socket error: {ex.Message}");
            return 1;
        }
    }
}

internal sealed record BurstOptions(
    IPAddress Server, IPAddress Relay, int Clients, int Offset, double SpreadMs, double[] RetransmitAt, double Deadline, int Seed)
{
    public const string Usage =
        "usage: nodefoundry-bench burst --server 192.0.2.1 --relay 192.0.2.2 [--clients 2000] [--offset 0] [--spread-ms 0] [--retransmit 4,12] [--deadline 20] [--seed 1]";

    public static BurstOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] != "burst")
        {
            throw new ArgumentException("expected the 'burst' command");
        }

        var server = IPAddress.Parse("192.0.2.1");
        var relay = IPAddress.Parse("192.0.2.2");
        var clients = 2000;
        var offset = 0;
        var spread = 0.0;
        double[] retransmit = [4, 12];
        var deadline = 20.0;
        var seed = 1;
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--server": server = IPAddress.Parse(value); break;
                case "--relay": relay = IPAddress.Parse(value); break;
                case "--clients": clients = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--offset": offset = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--spread-ms": spread = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--retransmit":
                    retransmit = value.Length == 0 ? [] : value.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--deadline": deadline = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (clients is < 1 or > 65_536)
        {
            throw new ArgumentException("--clients must be 1..65536 (one DISCOVER each, all queued at once)");
        }

        if (offset is < 0 or > 1 << 23)
        {
            throw new ArgumentException("--offset must be 0..8388608 (client numbers are the last 3 MAC bytes)");
        }

        if (spread is < 0 or > 10_000)
        {
            throw new ArgumentException("--spread-ms must be 0..10000");
        }

        if (deadline is <= 0 or > 120)
        {
            throw new ArgumentException("--deadline must be in (0, 120] seconds");
        }

        return new BurstOptions(server, relay, clients, offset, spread, retransmit.Where(t => t > 0 && t < deadline).Order().ToArray(), deadline, seed);
    }
}

internal sealed record BurstResult(
    int Clients, double SpreadMs, int Offered, int OfferedBeforeRetransmit, double SendAllMs, double LastFirstRoundOfferMs,
    double? AllOfferedMs, int Retransmitted, int DistinctAddresses, int Foreign, double P50Ms, double P99Ms, double FirstRetransmitS)
{
    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"burst clients={Clients} spread_ms={SpreadMs:0} offered={Offered} offered_before_retransmit={OfferedBeforeRetransmit} first_retransmit_s={FirstRetransmitS:0.###} " +
        $"send_all_ms={SendAllMs:0.0} last_first_round_offer_ms={LastFirstRoundOfferMs:0.0} " +
        $"all_offered_ms={(AllOfferedMs is { } all ? all.ToString("0.0", CultureInfo.InvariantCulture) : "never")} " +
        $"retransmitted={Retransmitted} distinct_yiaddr={DistinctAddresses} foreign_replies={Foreign} p50_ms={P50Ms:0.0} p99_ms={P99Ms:0.0}");
}

internal static class Burst
{
    private const int ServerPort = 67;

    public static BurstResult Run(BurstOptions options)
    {
        var n = options.Clients;
        var xidBase = (uint)new Random(options.Seed).Next(0x1000_0000, 0x7000_0000);
        var datagrams = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            datagrams[i] = BuildDiscover(options.Offset + i, xidBase + (uint)i, options.Relay);
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        // The load generator must not be what drops: a burst of N offers has to fit in its queue.
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(options.Relay, ServerPort));
        socket.ReceiveTimeout = 100;
        var server = new IPEndPoint(options.Server, ServerPort);

        var offeredAt = new double[n];
        var sentAt = new double[n];
        Array.Fill(offeredAt, double.NaN);
        var addresses = new HashSet<uint>();
        var offered = 0;
        var foreign = 0;
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();

        var receiver = new Thread(() =>
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (!done.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = socket.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
                {
                    continue;
                }
                catch (SocketException) when (done.IsCancellationRequested)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                var now = clock.Elapsed.TotalMilliseconds;
                if (!DhcpPacket.TryParse(buffer.AsSpan(0, length), out var reply, out _)
                    || reply.Op != DhcpOpCode.BootReply
                    || reply.MessageType != DhcpMessageType.Offer)
                {
                    Interlocked.Increment(ref foreign);
                    continue;
                }

                var index = (long)reply.TransactionId - xidBase;
                if (index < 0 || index >= n || !reply.ClientHardwareAddress.AsSpan(0, 6).SequenceEqual(datagrams[index].AsSpan(28, 6)))
                {
                    Interlocked.Increment(ref foreign);
                    continue;
                }

                lock (addresses)
                {
                    if (double.IsNaN(offeredAt[index]))
                    {
                        offeredAt[index] = now;
                        offered++;
                        addresses.Add(BitConverter.ToUInt32(reply.YourAddress.GetAddressBytes()));
                    }
                }
            }
        })
        { IsBackground = true, Name = "offers" };
        receiver.Start();

        // The burst: every client's DISCOVER back to back, as fast as the socket takes them — or, with
        // --spread-ms, evenly over that many milliseconds (a storm rather than one instant).
        var start = clock.Elapsed.TotalMilliseconds;
        for (var i = 0; i < n; i++)
        {
            if (options.SpreadMs > 0)
            {
                var due = start + (options.SpreadMs * i / n);
                while (clock.Elapsed.TotalMilliseconds < due)
                {
                    Thread.Yield();
                }
            }

            sentAt[i] = clock.Elapsed.TotalMilliseconds;
            socket.SendTo(datagrams[i], server);
        }

        var sendAll = clock.Elapsed.TotalMilliseconds - start;
        var retransmitted = 0;
        var offeredBeforeRetransmit = -1;
        var nextRetransmit = 0;
        double? allOffered = null;
        var deadlineMs = start + (options.Deadline * 1000);
        while (clock.Elapsed.TotalMilliseconds < deadlineMs)
        {
            lock (addresses)
            {
                if (offered == n)
                {
                    allOffered = offeredAt.Max() - start;
                    break;
                }
            }

            if (nextRetransmit < options.RetransmitAt.Length && clock.Elapsed.TotalMilliseconds - start >= options.RetransmitAt[nextRetransmit] * 1000)
            {
                lock (addresses)
                {
                    offeredBeforeRetransmit = nextRetransmit == 0 ? offered : offeredBeforeRetransmit;
                }

                for (var i = 0; i < n; i++)
                {
                    bool missing;
                    lock (addresses)
                    {
                        missing = double.IsNaN(offeredAt[i]);
                    }

                    if (missing)
                    {
                        socket.SendTo(datagrams[i], server);
                        retransmitted++;
                    }
                }

                nextRetransmit++;
            }

            Thread.Sleep(5);
        }

        done.Cancel();
        receiver.Join(TimeSpan.FromSeconds(2));
        var firstRetransmit = options.RetransmitAt.Length > 0 ? options.RetransmitAt[0] : options.Deadline;
        // Since the burst began (when the last client is served) and since each client's own first DISCOVER.
        var sinceStart = offeredAt.Where(t => !double.IsNaN(t)).Select(t => t - start).Order().ToArray();
        var firstRound = sinceStart.Where(t => t < firstRetransmit * 1000).ToArray();
        var latencies = offeredAt.Select((t, i) => t - sentAt[i]).Where(t => !double.IsNaN(t)).Order().ToArray();
        if (offeredBeforeRetransmit < 0)
        {
            offeredBeforeRetransmit = firstRound.Length;
        }

        return new BurstResult(
            n,
            options.SpreadMs,
            latencies.Length,
            offeredBeforeRetransmit,
            sendAll,
            firstRound.Length > 0 ? firstRound[^1] : double.NaN,
            allOffered,
            retransmitted,
            addresses.Count,
            foreign,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            firstRetransmit);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>A BIOS PXE ROM's DISCOVER (arch 0, PXEClient class, UUID), forwarded by a relay.</summary>
    private static byte[] BuildDiscover(int index, uint xid, IPAddress relay)
    {
        // Locally administered, unicast: 02:4e:46 ("NF") + the client number.
        var mac = new byte[] { 0x02, 0x4E, 0x46, (byte)(index >> 16), (byte)(index >> 8), (byte)index };
        var packet = new DhcpPacket
        {
            Op = DhcpOpCode.BootRequest,
            Hops = 1,
            TransactionId = xid,
            Seconds = 0,
            MacAddress = new PhysicalAddress(mac),
            GatewayAddress = relay,
        };
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        packet.Options.Set(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 12, 15, 28, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135]);
        packet.Options.SetUInt16(DhcpOptionCode.MaxMessageSize, 1260);
        packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, 0);
        packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00000:UNDI:002001");
        var uuid = new byte[17];
        uuid[0] = 0;
        mac.CopyTo(uuid, 11);
        packet.Options.Set(DhcpOptionCode.ClientMachineIdentifier, uuid);
        return packet.ToArray();
    }
}
