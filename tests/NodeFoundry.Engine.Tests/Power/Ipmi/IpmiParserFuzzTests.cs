using NodeFoundry.Power.Ipmi;

namespace NodeFoundry.Tests.Power.Ipmi;

/// <summary>
/// Malformed input is a value, never an exception: every IPMI parser fed seeded mutations of the real capture's
/// datagrams (bit flips, truncations, extensions, random bytes) returns true or false and nothing else.
/// </summary>
public sealed class IpmiParserFuzzTests
{
    [Fact]
    public void Parsers_never_throw_on_mutated_datagrams()
    {
        var random = new Random(20261122);
        var key = new byte[16];
        var k1 = new byte[20];
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var datagram = Mutate(random, IpmitoolCipher3Capture.Frame(1 + random.Next(IpmitoolCipher3Capture.Frames.Length)));
            var payload = datagram.Length > 16 ? datagram[16..] : datagram;

            parsed += RmcpPlusPacket.TryParse(datagram, IpmiIntegrityAlgorithm.None, default, out _, out _) ? 1 : 0;
            parsed += RmcpPlusPacket.TryParse(datagram, IpmiIntegrityAlgorithm.HmacSha1_96, k1, out _, out _) ? 1 : 0;
            parsed += RmcpPlusPacket.TryParse(datagram, IpmiIntegrityAlgorithm.HmacSha256_128, k1, out _, out _) ? 1 : 0;
            parsed += Ipmi15SessionWrapper.TryDecode(datagram, out _, out _) ? 1 : 0;
            parsed += IpmiResponse.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += OpenSessionResponse.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += Rakp2Message.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += Rakp4Message.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += AesCbc128Payload.TryDecrypt(payload, key, out _, out _) ? 1 : 0;
            parsed += ChannelAuthenticationCapabilities.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += ChassisStatus.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += BootFlags.TryParse(payload, out _, out _) ? 1 : 0;
            parsed += SystemBootOptions.TryParseGet(payload, BootFlags.ParameterSelector, out _, out _) ? 1 : 0;
        }

        // Both outcomes occurred: the mutations were neither all fatal nor all harmless.
        Assert.InRange(parsed, 1, (20_000 * 13) - 1);
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = original.ToList();
        switch (random.Next(4))
        {
            case 0:
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1:
                var keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 2:
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                bytes.AddRange(extra);
                break;
            default:
                var noise = new byte[random.Next(0, 80)];
                random.NextBytes(noise);
                return noise;
        }

        return [.. bytes];
    }
}
