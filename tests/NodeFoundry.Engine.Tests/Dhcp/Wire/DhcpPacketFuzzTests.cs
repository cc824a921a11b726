using System.Net;
using Xunit.Abstractions;
using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>
/// Property: whatever arrives on port 67, TryParse returns (never throws); whatever it accepts
/// re-encodes (or refuses with DhcpEncodeException for content too long for the fields) and
/// parses back to the same packet.
/// </summary>
public class DhcpPacketFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 100_000;

    private static List<byte[]> Seeds()
    {
        var offer = DhcpPacket.CreateReply(PacketAssert.Parse(GoldenPackets.IpxeBiosDiscover()), DhcpMessageType.Offer);
        offer.YourAddress = IPAddress.Parse("192.168.50.100");
        offer.BootFileName = "http://192.168.50.1/boot.ipxe";
        offer.Options.Set(DhcpOptionCode.VendorSpecific, PxeVendorOptions.Encode(PxeVendorOptions.BootFileDirectly));
        offer.Options.Set(DhcpOptionCode.RelayAgentInformation, [1, 2, 3, 4]);

        var overloaded = new DhcpPacket();
        overloaded.Options.SetByte(DhcpOptionCode.MessageType, 5);
        overloaded.Options.Set((DhcpOptionCode)224, new byte[250]);
        overloaded.Options.Set((DhcpOptionCode)225, new byte[100]);
        overloaded.Options.Set((DhcpOptionCode)226, new byte[50]);

        var split = new DhcpPacket();
        split.Options.Set(DhcpOptionCode.ClasslessStaticRoute, new byte[700]);

        return
        [
            GoldenPackets.IpxeBiosDiscover(),
            GoldenPackets.OvmfPxeDiscover(),
            GoldenPackets.OvmfHttpDiscover(),
            offer.ToArray(),
            overloaded.ToArray(),
            split.ToArray(1500),
            Datagram.WithAreas([52, 1, 3, 43, 2, 1, 2, 255], Datagram.Field(128, 43, 1, 3, 255), Datagram.Field(64, 43, 1, 4, 255)),
        ];
    }

    [Fact]
    public void Parse_never_throws_and_accepted_packets_round_trip()
    {
        var random = new Random(0x0D4C9);
        var seeds = Seeds();
        int parsed = 0;
        int overloadedRewrites = 0;
        int refused = 0;

        for (int i = 0; i < Iterations; i++)
        {
            byte[] datagram = Generate(random, seeds, i);

            DhcpPacket? packet;
            DhcpParseError? error;
            try
            {
                DhcpPacket.TryParse(datagram, out packet, out error);
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}: TryParse threw {ex.GetType().Name} on {Convert.ToHexString(datagram)}: {ex}");
                return;
            }

            if (packet is null)
            {
                Assert.NotNull(error);
                Assert.InRange(error.Offset, 0, Math.Max(datagram.Length, 0));
                continue;
            }

            parsed++;
            byte[] rewritten;
            try
            {
                rewritten = WriteWithFallback(packet);
            }
            catch (DhcpEncodeException)
            {
                // Only content the header fields cannot hold NUL-terminated may be refused.
                Assert.True(
                    packet.ServerName.Length >= 64 || packet.BootFileName.Length >= 128,
                    $"iteration {i}: refused to re-encode {Convert.ToHexString(datagram)}");
                refused++;
                continue;
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}: re-encoding threw {ex.GetType().Name} on {Convert.ToHexString(datagram)}: {ex}");
                return;
            }

            bool overloaded = rewritten[240] == (byte)DhcpOptionCode.OptionOverload;
            overloadedRewrites += overloaded ? 1 : 0;
            Assert.True(
                DhcpPacket.TryParse(rewritten, out var back, out var backError),
                $"iteration {i}: re-parse failed ({backError}) for {Convert.ToHexString(datagram)}");
            PacketAssert.Equivalent(packet, back, checkOrder: !overloaded);
        }

        output.WriteLine($"{Iterations} datagrams: {parsed} parsed, {overloadedRewrites} re-encoded with overload, {refused} refused (over-long sname/file)");

        // Make sure the generator actually reaches the option parser and the writer's overload path.
        Assert.InRange(parsed, Iterations / 5, Iterations);
        Assert.True(overloadedRewrites > 100, $"{overloadedRewrites} overloaded rewrites");
        Assert.True(refused > 0, "no over-long sname/file generated");
    }

    private static byte[] WriteWithFallback(DhcpPacket packet)
    {
        try
        {
            return packet.ToArray();
        }
        catch (DhcpEncodeException)
        {
            return packet.ToArray(65535);
        }
    }

    private static byte[] Generate(Random random, List<byte[]> seeds, int iteration)
    {
        switch (iteration % 10)
        {
            case 0:
                // Pure noise: almost always rejected at the header.
                return RandomBytes(random, random.Next(0, 700));
            case 1:
                // A valid header and cookie followed by random option bytes: exercises the option parser.
                return Datagram.WithOptions(RandomBytes(random, random.Next(0, 400)));
            case 2:
                // Plausible TLVs with random codes and lengths, sometimes overloaded, sometimes wrong.
                return PlausibleOptions(random);
            default:
                byte[] bytes = (byte[])seeds[random.Next(seeds.Count)].Clone();
                int mutations = random.Next(1, 5);
                for (int m = 0; m < mutations; m++)
                {
                    bytes = Mutate(random, bytes);
                }

                return bytes;
        }
    }

    private static byte[] PlausibleOptions(Random random)
    {
        var options = new List<byte>();
        if (random.Next(3) == 0)
        {
            options.AddRange([52, 1, (byte)random.Next(0, 5)]);
        }

        int count = random.Next(0, 30);
        for (int i = 0; i < count; i++)
        {
            byte code = (byte)random.Next(256);
            int length = random.Next(0, 20) == 0 ? random.Next(256) : random.Next(0, 12);
            options.Add(code);
            if (code is not 0 and not 255)
            {
                options.Add((byte)length);
                options.AddRange(RandomBytes(random, length));
            }
        }

        if (random.Next(4) != 0)
        {
            options.Add(255);
        }

        // Random sname/file text, usually NUL-terminated somewhere (an unterminated one can only be refused).
        var file = RandomBytes(random, 128);
        var sname = RandomBytes(random, 64);
        if (random.Next(10) != 0)
        {
            file[random.Next(128)] = 0;
            sname[random.Next(64)] = 0;
        }

        if (random.Next(2) == 0)
        {
            file = Datagram.Field(128, 43, 3, 1, 2, 3, 255);
            sname = Datagram.Field(64, 60, 4, (byte)'P', (byte)'X', (byte)'E', (byte)'C', 255);
        }

        return Datagram.WithAreas([.. options], file, sname);
    }

    private static byte[] Mutate(Random random, byte[] bytes)
    {
        // Filling sname/file is rare: a packet with an over-long field can only be refused, not round-tripped.
        int kind = random.Next(40) == 0 ? 6 : random.Next(6);
        switch (kind)
        {
            case 0 when bytes.Length > 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1 when bytes.Length > 0:
                // Favour the option area, where the interesting structure is.
                int at = bytes.Length > 240 && random.Next(3) != 0 ? random.Next(240, bytes.Length) : random.Next(bytes.Length);
                bytes[at] = (byte)random.Next(256);
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length + 1)];
            case 3:
                return [.. bytes, .. RandomBytes(random, random.Next(1, 300))];
            case 4:
                int insertAt = random.Next(bytes.Length + 1);
                return [.. bytes[..insertAt], .. RandomBytes(random, random.Next(1, 20)), .. bytes[insertAt..]];
            case 5 when bytes.Length > 1:
                int from = random.Next(bytes.Length);
                int to = Math.Min(bytes.Length, from + random.Next(1, 20));
                return [.. bytes[..from], .. bytes[to..]];
            default:
                // Fill sname/file with non-NUL text so the over-long-content path is reached.
                if (bytes.Length >= 236)
                {
                    int start = random.Next(2) == 0 ? 44 : 108;
                    int length = start == 44 ? 64 : 128;
                    for (int k = 0; k < length; k++)
                    {
                        bytes[start + k] = (byte)random.Next(1, 256);
                    }
                }

                return bytes;
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
