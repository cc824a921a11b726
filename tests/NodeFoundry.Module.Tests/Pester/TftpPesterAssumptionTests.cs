using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Fleet;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What tests/Pester/Start-NfTftpServer.Tests.ps1 takes for granted, checked without PowerShell: a server set up
/// the way the suite sets it up (the fixture fleet, a temporary root, 127.0.0.1, a high port) serves a plain
/// RFC 1350 read done exactly as Invoke-NfTestTftpRead does it, and reports the events the suite asserts.
/// </summary>
public sealed class TftpPesterAssumptionTests : IDisposable
{
    private static readonly string Fleet = PesterFixtures.Fleet;
    private readonly TempRoot _root = new("nf-module-tests-tftp-");
    private readonly byte[] _loader;

    // As the suite's BeforeAll: 1300 bytes are three blocks (512 + 512 + 276).
    public TftpPesterAssumptionTests() => _loader = _root.WriteRandom("undionly.kpxe", 1300, seed: 42);

    public void Dispose() => _root.Dispose();

    [Fact]
    public void The_fixture_fleets_own_root_does_not_exist_so_the_suite_passes_Root()
    {
        TftpServerOptions options = TftpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(Fleet));

        Assert.False(Directory.Exists(options.Root), $"{options.Root} exists; the NfTftpRootNotFound test relies on -Root alone");
        Assert.Equal(69, options.Port);
        Assert.False(options.SinglePort);
    }

    [Fact]
    public async Task A_loopback_server_serves_the_suites_read_and_reports_what_the_suite_asserts()
    {
        var server = new TftpServer(TftpServerOptions.FromFleet(FleetLoader.LoadFileOrThrow(Fleet)) with
        {
            Root = _root.FullName,
            ListenAddress = IPAddress.Loopback,
            Port = 0,
        });
        var events = new EventQueue<TransferEvent>();
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => server.RunAsync(events, stop.Token));
        try
        {
            await server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
            int port = server.LocalEndPoint!.Port;
            Assert.Equal($"tftp@127.0.0.1:{port}", server.Name);

            Assert.Equal(_loader, Read(port, "undionly.kpxe"));
            Assert.StartsWith("TFTP ERROR 1:", Assert.Throws<IOException>(() => Read(port, "missing.efi")).Message, StringComparison.Ordinal);
            Assert.StartsWith("TFTP ERROR 2:", Assert.Throws<IOException>(() => Read(port, "../fleet.yaml")).Message, StringComparison.Ordinal);

            TransferEvent completed = await events.WaitFor(e => e.Kind == TransferEventKind.Completed);
            Assert.Equal(("tftp", "undionly.kpxe", 1300L, (long?)1300, 512), (completed.Source, completed.FileName, completed.BytesTransferred, completed.FileSize, completed.BlockSize));
            Assert.Equal(IPAddress.Loopback, completed.Client.Address);
            Assert.Equal(IPAddress.Loopback, completed.IPAddress);
            Assert.Single(events.Items, e => e.Kind == TransferEventKind.Started);
            TransferEvent refused = await events.WaitFor(e => e.Kind == TransferEventKind.Refused && e.FileName == "missing.efi");
            Assert.False(string.IsNullOrEmpty(refused.Reason));
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Invoke-NfTestTftpRead in C#: RRQ without options, DATA/ACK in 512-byte blocks, the last packet re-sent on timeout.</summary>
    private static byte[] Read(int port, string fileName, int timeoutMilliseconds = 2000, int retries = 3)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        client.Client.ReceiveTimeout = timeoutMilliseconds;
        using var content = new MemoryStream();
        byte[] packetOut = [0, 1, .. Encoding.ASCII.GetBytes(fileName), 0, .. Encoding.ASCII.GetBytes("octet"), 0];
        var to = new IPEndPoint(IPAddress.Loopback, port);
        int expected = 1;
        int timeouts = 0;
        while (true)
        {
            client.Send(packetOut, packetOut.Length, to);
            var from = new IPEndPoint(IPAddress.Any, 0);
            byte[] packet;
            try
            {
                packet = client.Receive(ref from);
            }
            catch (SocketException)
            {
                if (++timeouts > retries)
                {
                    throw new TimeoutException($"TFTP read of '{fileName}' timed out waiting for block {expected}.");
                }

                continue;
            }

            int opcode = (packet[0] << 8) | packet[1];
            if (opcode == 5)
            {
                throw new IOException($"TFTP ERROR {(packet[2] << 8) | packet[3]}: {Encoding.ASCII.GetString(packet, 4, Math.Max(0, packet.Length - 5))}");
            }

            Assert.True(opcode == 3 && packet.Length >= 4, $"unexpected packet (opcode {opcode})");
            int block = (packet[2] << 8) | packet[3];
            packetOut = [0, 4, packet[2], packet[3]];
            to = from;
            if (block != expected % 65536)
            {
                continue;
            }

            timeouts = 0;
            expected++;
            content.Write(packet, 4, packet.Length - 4);
            if (packet.Length - 4 < 512)
            {
                client.Send(packetOut, packetOut.Length, to);
                return content.ToArray();
            }
        }
    }
}
