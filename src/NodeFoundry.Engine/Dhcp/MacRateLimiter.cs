using System.Net.NetworkInformation;

namespace NodeFoundry.Dhcp;

/// <summary>
/// Per-MAC token bucket: a client (or a broken NIC ROM in a retransmit loop) cannot take more than its
/// share of the packet loop during a storm. Bounded: when it tracks too many MACs it forgets the idle ones.
/// Called from one packet-loop thread only.
/// </summary>
internal sealed class MacRateLimiter
{
    private const int MaxTracked = 200_000;
    private readonly Dictionary<ulong, Bucket> _buckets = new();
    private readonly double _ratePerSecond;
    private readonly double _burst;

    public MacRateLimiter(int requestsPerSecond)
    {
        _ratePerSecond = Math.Max(1, requestsPerSecond);
        _burst = _ratePerSecond;
    }

    public bool TryAcquire(PhysicalAddress mac, long nowTicks)
    {
        var key = Key(mac);
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= MaxTracked)
            {
                Prune(nowTicks);
            }

            _buckets[key] = new Bucket(_burst - 1, nowTicks);
            return true;
        }

        var elapsedSeconds = (nowTicks - bucket.LastTicks) / (double)TimeSpan.TicksPerSecond;
        var tokens = Math.Min(_burst, bucket.Tokens + (elapsedSeconds * _ratePerSecond));
        if (tokens < 1)
        {
            _buckets[key] = new Bucket(tokens, nowTicks);
            return false;
        }

        _buckets[key] = new Bucket(tokens - 1, nowTicks);
        return true;
    }

    private void Prune(long nowTicks)
    {
        // A bucket idle for a second is full again: forgetting it changes nothing.
        var idle = nowTicks - TimeSpan.TicksPerSecond;
        foreach (var pair in _buckets.Where(p => p.Value.LastTicks < idle).ToList())
        {
            _buckets.Remove(pair.Key);
        }
    }

    private static ulong Key(PhysicalAddress mac)
    {
        var bytes = mac.GetAddressBytes();
        ulong key = (ulong)bytes.Length << 56;
        for (var i = 0; i < bytes.Length && i < 7; i++)
        {
            key ^= (ulong)bytes[i] << (8 * i);
        }

        return key;
    }

    private readonly record struct Bucket(double Tokens, long LastTicks);
}
