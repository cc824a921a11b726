using System.Net;
using System.Text;
using NodeFoundry.Net;

namespace NodeFoundry.Dhcp.Leases;

/// <summary>An inclusive range of IPv4 addresses handed out with one lease time.</summary>
public sealed class LeasePool
{
    /// <summary>Longest pool name in UTF-8 bytes (the journal stores it with a one-byte length).</summary>
    public const int MaxNameBytes = 255;

    public LeasePool(string name, IPAddress first, IPAddress last, TimeSpan leaseTime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(last);
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ArgumentException($"Pool name must be at most {MaxNameBytes} UTF-8 bytes.", nameof(name));
        }

        FirstValue = Ipv4.ToUInt32(first, nameof(first));
        LastValue = Ipv4.ToUInt32(last, nameof(last));
        if (LastValue < FirstValue)
        {
            throw new ArgumentException($"Pool '{name}': last address {last} is below first address {first}.", nameof(last));
        }

        if (leaseTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseTime), leaseTime, "Lease time must be positive.");
        }

        Name = name;
        First = Ipv4.FromUInt32(FirstValue);
        Last = Ipv4.FromUInt32(LastValue);
        LeaseTime = leaseTime;
        Size = (long)LastValue - FirstValue + 1;
    }

    public string Name { get; }

    public IPAddress First { get; }

    public IPAddress Last { get; }

    public TimeSpan LeaseTime { get; }

    /// <summary>Number of addresses in the range, both ends included.</summary>
    public long Size { get; }

    internal uint FirstValue { get; }

    internal uint LastValue { get; }

    public bool Contains(IPAddress address) => Ipv4.TryToUInt32(address, out uint value) && Contains(value);

    internal bool Contains(uint value) => value >= FirstValue && value <= LastValue;

    internal bool Overlaps(LeasePool other) => FirstValue <= other.LastValue && other.FirstValue <= LastValue;

    public override string ToString() => $"{Name} {First}-{Last}";
}
