using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;

namespace NodeFoundry.Tests.Dhcp.Leases;

internal static class LeaseTestData
{
    public static PhysicalAddress Mac(int i) =>
        new([0x52, 0x54, 0x00, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static IPAddress Ip(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    public static uint Value(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    public static LeasePool Pool(string name, string first, string last, int leaseMinutes = 60) =>
        new(name, Ip(first), Ip(last), TimeSpan.FromMinutes(leaseMinutes));

    public static KeyValuePair<PhysicalAddress, IPAddress> Reserve(int mac, string address) => new(Mac(mac), Ip(address));

    public static LeaseRecord Record(int i, LeaseRecordKind kind = LeaseRecordKind.Bound, string? host = null)
    {
        var granted = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i);
        return new LeaseRecord(kind, Mac(i), Ip(0x0A000000u + (uint)i), granted, granted.AddHours(1), "pool-" + (i % 3), host ?? (i % 2 == 0 ? null : "node-" + i));
    }
}

/// <summary>A directory deleted at the end of the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nf-leases-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
