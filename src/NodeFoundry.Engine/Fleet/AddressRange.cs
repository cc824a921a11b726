using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeFoundry.Net;

namespace NodeFoundry.Fleet;

/// <summary>An inclusive range of IPv4 addresses, such as a scope's <c>range</c> or <c>pxeRange</c>.</summary>
public sealed class AddressRange : IEquatable<AddressRange>
{
    private readonly uint _start;
    private readonly uint _end;

    /// <summary>Creates the range <paramref name="start"/>..<paramref name="end"/>, both inclusive.</summary>
    /// <exception cref="ArgumentException">An address is not IPv4, or <paramref name="start"/> is above <paramref name="end"/>.</exception>
    public AddressRange(IPAddress start, IPAddress end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (start.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"'{start}' is not an IPv4 address.", nameof(start));
        }

        if (end.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"'{end}' is not an IPv4 address.", nameof(end));
        }

        _start = Ipv4.ToUInt32(start);
        _end = Ipv4.ToUInt32(end);
        if (_start > _end)
        {
            throw new ArgumentException($"The range start {start} is above its end {end}.", nameof(start));
        }

        Start = start;
        End = end;
    }

    /// <summary>First address of the range.</summary>
    public IPAddress Start { get; }

    /// <summary>Last address of the range (inclusive).</summary>
    public IPAddress End { get; }

    /// <summary>Number of addresses in the range.</summary>
    public long Count => (long)_end - _start + 1;

    /// <summary>True when <paramref name="address"/> is an IPv4 address (or IPv4-mapped IPv6 address) inside the range.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        uint value = Ipv4.ToUInt32(address);
        return value >= _start && value <= _end;
    }

    /// <summary>True when the two ranges share at least one address.</summary>
    public bool Overlaps(AddressRange other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _start <= other._end && other._start <= _end;
    }

    /// <summary>True when every address of this range lies inside <paramref name="network"/>.</summary>
    public bool IsInside(IPNetwork network) => network.Contains(Start) && network.Contains(End);

    /// <inheritdoc />
    public bool Equals(AddressRange? other) => other is not null && other._start == _start && other._end == _end;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AddressRange);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_start, _end);

    /// <summary>The range as <c>start-end</c>, for example <c>192.0.2.100-192.0.2.149</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}-{End}");
}
