using System.Net.NetworkInformation;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>Locally administered MACs (02:…), unique per call, so tests sharing a server never collide.</summary>
public static class TestMacs
{
    private static int _next = Random.Shared.Next(0, 1 << 16) << 8;

    public static PhysicalAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new PhysicalAddress([0x02, 0x4e, 0x46, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
    }

    public static string Colon(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
