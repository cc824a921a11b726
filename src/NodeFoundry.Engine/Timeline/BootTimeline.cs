using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Http;
using NodeFoundry.Tftp;
using NodeFoundry.Fleet;

namespace NodeFoundry.Timeline;

/// <summary>
/// Per-node boot timelines from the engines' events. Put it in front of the sink the engines publish to:
/// it passes every event on unchanged, correlates DHCP, TFTP and HTTP by MAC, and publishes a
/// <see cref="BootStageEvent"/> after the event that moved a node to a later stage.
/// <para>
/// Correlation: DHCP events carry the MAC. TFTP and static HTTP know only the client's address, which the
/// lease events bind to a MAC (the latest offer or grant of an address wins, so an address reused by
/// another MAC moves to it; a release or decline unbinds it). Per-node HTTP routes carry the MAC in the
/// path. An event from an address no lease has named yet is held (bounded, see
/// <see cref="BootTimelineOptions.MaxPendingEvents"/>) and attributed when a lease names the address.
/// </para>
/// <para>
/// Order: a node's stage is the highest it has reached; each stage keeps the earliest time it was seen, so
/// duplicates and late events never move a stage later, and an earlier stage reported late is recorded
/// without a new <see cref="BootStageEvent"/>. A firmware DHCP offer after Installed starts a new attempt.
/// </para>
/// <para>Memory: at most <see cref="BootTimelineOptions.MaxNodes"/> nodes; the least recently observed is evicted first.</para>
/// Publish never blocks on anything but a short lock, as <see cref="IBootEventSink"/> requires.
/// </summary>
public sealed class BootTimeline : IBootEventSink
{
    private const int MaxAddressesPerNode = 4;

    /// <summary>Every stage, in boot order: the fixed label set of the nodes-per-stage gauge.</summary>
    private static readonly BootStage[] Stages = Enum.GetValues<BootStage>();

    private readonly object _gate = new();
    private readonly IBootEventSink? _inner;
    private readonly BootTimelineOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<PhysicalAddress, NodeBootState> _nodes = [];
    private readonly LinkedList<NodeBootState> _recency = new();
    private readonly Dictionary<IPAddress, PhysicalAddress> _addresses = [];
    private readonly LinkedList<Held> _pending = new();
    private readonly List<BootStageWaiter> _waiters = [];

    // Nodes at each stage (indexed by the stage's value), kept as nodes move so reading it never walks the nodes.
    private readonly int[] _atStage = new int[(int)Stages.Max() + 1];
    private long _evicted;
    private long _droppedPending;

    /// <param name="inner">Where every event, and the stage events, go on to (null: only the timeline keeps them).</param>
    public BootTimeline(IBootEventSink? inner = null, BootTimelineOptions? options = null, TimeProvider? time = null)
    {
        _inner = inner;
        _options = options ?? new BootTimelineOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised (outside the lock, on the publishing thread) for every stage event; keep handlers short.</summary>
    public event EventHandler<BootStageEvent>? StageReached;

    /// <summary>Nodes tracked now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>Nodes forgotten because <see cref="BootTimelineOptions.MaxNodes"/> was reached.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Events from unknown addresses dropped (too many held, or held too long).</summary>
    public long DroppedPending => Interlocked.Read(ref _droppedPending);

    public void Publish(BootEvent bootEvent)
    {
        ArgumentNullException.ThrowIfNull(bootEvent);
        _inner?.Publish(bootEvent);
        List<BootStageEvent>? reached = null;
        lock (_gate)
        {
            ExpirePending();
            Observe(bootEvent, ref reached);
        }

        if (reached is null)
        {
            return;
        }

        foreach (var stage in reached)
        {
            _inner?.Publish(stage);
            StageReached?.Invoke(this, stage);
        }
    }

    /// <summary>Every tracked node's timeline, oldest observed first.</summary>
    public IReadOnlyList<NodeBootTimeline> Snapshot()
    {
        lock (_gate)
        {
            return [.. _recency.Select(n => n.ToSnapshot())];
        }
    }

    /// <summary>How many tracked nodes are at each stage now (every stage listed, zeros included): the metrics' nodes per boot stage.</summary>
    public IReadOnlyDictionary<BootStage, int> CountByStage()
    {
        var counts = new Dictionary<BootStage, int>(Stages.Length);
        lock (_gate)
        {
            foreach (var stage in Stages)
            {
                counts[stage] = _atStage[(int)stage];
            }
        }

        return counts.AsReadOnly();
    }

    /// <summary>
    /// Copies the number of tracked nodes at each stage into <paramref name="destination"/>, indexed by the stage's
    /// value (<see cref="BootStage.None"/> first). Constant time: the counts are kept as nodes move, so /metrics can
    /// read them under load without walking every node. Returns the number of stages written.
    /// </summary>
    public int CopyCountsByStage(Span<int> destination)
    {
        lock (_gate)
        {
            var length = Math.Min(destination.Length, _atStage.Length);
            _atStage.AsSpan(0, length).CopyTo(destination);
            return length;
        }
    }

    /// <summary>One node's timeline, or null when it is not tracked.</summary>
    public NodeBootTimeline? Get(PhysicalAddress macAddress)
    {
        ArgumentNullException.ThrowIfNull(macAddress);
        lock (_gate)
        {
            return _nodes.TryGetValue(macAddress, out var node) ? node.ToSnapshot() : null;
        }
    }

    /// <summary>
    /// Completes when <paramref name="count"/> nodes have reached <paramref name="stage"/> (or a later one),
    /// counting nodes that reached it before the call. Throws <see cref="BootStageTimeoutException"/> (with
    /// what was reached) when <paramref name="timeout"/> passes first.
    /// </summary>
    public Task<IReadOnlyList<NodeBootTimeline>> WaitForStageAsync(BootStage stage, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return WaitAsync(new BootStageWaiter(stage, count, null), timeout, cancellationToken);
    }

    /// <summary>
    /// Completes when every one of <paramref name="macAddresses"/> has reached <paramref name="stage"/> (or a
    /// later one). Throws <see cref="BootStageTimeoutException"/> naming the missing ones when
    /// <paramref name="timeout"/> passes first.
    /// </summary>
    public Task<IReadOnlyList<NodeBootTimeline>> WaitForStageAsync(BootStage stage, IEnumerable<PhysicalAddress> macAddresses, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(macAddresses);
        var macs = new HashSet<PhysicalAddress>(macAddresses);
        return macs.Count == 0
            ? Task.FromResult<IReadOnlyList<NodeBootTimeline>>([])
            : WaitAsync(new BootStageWaiter(stage, macs.Count, macs), timeout, cancellationToken);
    }

    private async Task<IReadOnlyList<NodeBootTimeline>> WaitAsync(BootStageWaiter waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Made before the waiter is registered: a timeout it rejects must not leave a waiter behind.
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        lock (_gate)
        {
            foreach (var node in _nodes.Values)
            {
                waiter.Offer(node);
            }

            if (!waiter.Completion.Task.IsCompleted)
            {
                _waiters.Add(waiter);
            }
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
                if (waiter.Completion.Task.IsCompletedSuccessfully)
                {
                    // Reached in the same moment the time ran out: it counts.
                    return waiter.Completion.Task.Result;
                }

                var reached = waiter.Result();
                var missing = waiter.Macs is { } macs
                    ? macs.Where(m => !waiter.Has(m)).Select(m => _nodes.TryGetValue(m, out var n) ? n.ToSnapshot() : Unknown(m)).ToList()
                    : _recency.Where(n => !waiter.Has(n.Mac)).Select(n => n.ToSnapshot()).ToList();
                throw new BootStageTimeoutException(
                    $"{reached.Count} of {waiter.Count} node(s) reached {waiter.Stage} within {timeout}; missing: {(missing.Count == 0 ? "(none tracked)" : string.Join(", ", missing.Select(m => $"{m.NodeName ?? MacAddressText.Format(m.MacAddress)} at {m.Stage}")))}",
                    waiter.Stage,
                    reached,
                    missing);
            }
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; DHCP leases are plain IPv4.</summary>
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static NodeBootTimeline Unknown(PhysicalAddress mac) => new()
    {
        MacAddress = mac,
        Stage = BootStage.None,
        Reached = new Dictionary<BootStage, DateTimeOffset>(),
    };

    private void Observe(BootEvent bootEvent, ref List<BootStageEvent>? reached)
    {
        switch (bootEvent)
        {
            case BootStageEvent:
                return;
            case LeaseEvent lease:
                ObserveLease(lease, ref reached);
                return;
            case TransferEvent { Kind: TransferEventKind.Completed } transfer:
                AttributeByAddress(transfer, transfer.IPAddress ?? transfer.Client.Address, BootStage.NbpFetched, $"tftp {transfer.FileName}", ref reached);
                return;
            case HttpRequestEvent http:
                ObserveHttp(http, ref reached);
                return;
            default:
                return;
        }
    }

    private void ObserveLease(LeaseEvent lease, ref List<BootStageEvent>? reached)
    {
        if (lease.MacAddress is not { } mac)
        {
            return;
        }

        BootStage stage;
        switch (lease.Kind)
        {
            case LeaseEventKind.Offered:
                stage = lease.IsIpxe ? BootStage.IpxeDhcp : BootStage.Offered;
                break;
            case LeaseEventKind.Granted or LeaseEventKind.Renewed:
                stage = lease.IsIpxe ? BootStage.IpxeDhcp : BootStage.Bound;
                break;
            case LeaseEventKind.Released or LeaseEventKind.Declined:
                if (lease.Address is { } gone && _addresses.TryGetValue(Normalize(gone), out var holder) && holder.Equals(mac))
                {
                    Unbind(Normalize(gone));
                }

                return;
            default:
                return;
        }

        var node = Touch(mac, lease.Timestamp);
        if (!lease.IsIpxe && lease.Kind == LeaseEventKind.Offered && node.Reached.TryGetValue(BootStage.Installed, out var installed) && lease.Timestamp > installed)
        {
            _atStage[(int)node.Stage]--;
            node.StartOver();
            _atStage[(int)node.Stage]++;
        }

        if (!lease.IsIpxe && lease.Firmware != FirmwareKind.Unknown && node.Firmware == FirmwareKind.Unknown)
        {
            node.Firmware = lease.Firmware;
        }

        node.Name ??= _options.Fleet?.FindByMac(mac)?.Name ?? lease.HostName;
        Advance(node, stage, lease.Timestamp, $"dhcp {lease.Kind.ToString().ToLowerInvariant()}{(lease.IsIpxe ? " (iPXE)" : string.Empty)} {lease.Address}", ref reached);
        if (lease.Address is { } leased)
        {
            var address = Normalize(leased);
            node.Address = address;
            Bind(address, node);
            ReplayPending(address, ref reached);
        }
    }

    private void ObserveHttp(HttpRequestEvent http, ref List<BootStageEvent>? reached)
    {
        if (http.StatusCode is < 200 or > 299)
        {
            return;
        }

        var stage = _options.Classifier.Classify(http.Path, out var routeMac);
        var fetched = string.Equals(http.Method, "GET", StringComparison.Ordinal)
            || (stage == BootStage.Installed && string.Equals(http.Method, "POST", StringComparison.Ordinal));
        if (stage == BootStage.None || !fetched)
        {
            return;
        }

        var cause = $"http {http.Method} {http.Path}";
        if ((http.MacAddress ?? routeMac) is { } mac)
        {
            Advance(Touch(mac, http.Timestamp), stage, http.Timestamp, cause, ref reached);
            return;
        }

        if (http.IPAddress is { } address)
        {
            AttributeByAddress(http, address, stage, cause, ref reached);
        }
    }

    private void AttributeByAddress(BootEvent bootEvent, IPAddress address, BootStage stage, string cause, ref List<BootStageEvent>? reached)
    {
        address = Normalize(address);
        if (_addresses.TryGetValue(address, out var mac) && _nodes.TryGetValue(mac, out var node))
        {
            Touch(mac, bootEvent.Timestamp);
            Advance(node, stage, bootEvent.Timestamp, cause, ref reached);
            return;
        }

        if (_options.MaxPendingEvents == 0)
        {
            Interlocked.Increment(ref _droppedPending);
            return;
        }

        if (_pending.Count >= _options.MaxPendingEvents)
        {
            _pending.RemoveFirst();
            Interlocked.Increment(ref _droppedPending);
        }

        _pending.AddLast(new Held(address, stage, bootEvent.Timestamp, cause, _time.GetUtcNow()));
    }

    private void ReplayPending(IPAddress address, ref List<BootStageEvent>? reached)
    {
        for (var item = _pending.First; item is not null;)
        {
            var next = item.Next;
            if (item.Value.Address.Equals(address) && _addresses.TryGetValue(address, out var mac) && _nodes.TryGetValue(mac, out var node))
            {
                _pending.Remove(item);
                Advance(node, item.Value.Stage, item.Value.Timestamp, item.Value.Cause, ref reached);
            }

            item = next;
        }
    }

    private void ExpirePending()
    {
        var oldest = _time.GetUtcNow() - _options.PendingLifetime;
        while (_pending.First is { } first && first.Value.HeldAt < oldest)
        {
            _pending.RemoveFirst();
            Interlocked.Increment(ref _droppedPending);
        }
    }

    private NodeBootState Touch(PhysicalAddress mac, DateTimeOffset timestamp)
    {
        if (_nodes.TryGetValue(mac, out var node))
        {
            _recency.Remove(node.Recency);
            _recency.AddLast(node.Recency);
        }
        else
        {
            if (_nodes.Count >= _options.MaxNodes && _recency.First is { } oldest)
            {
                Evict(oldest.Value);
            }

            node = new NodeBootState(mac) { Name = _options.Fleet?.FindByMac(mac)?.Name };
            _nodes.Add(mac, node);
            _atStage[(int)node.Stage]++;
            _recency.AddLast(node.Recency);
        }

        if (timestamp > node.LastSeen)
        {
            node.LastSeen = timestamp;
        }

        return node;
    }

    private void Evict(NodeBootState node)
    {
        foreach (var address in node.Addresses.ToList())
        {
            Unbind(address);
        }

        _recency.Remove(node.Recency);
        _nodes.Remove(node.Mac);
        _atStage[(int)node.Stage]--;
        Interlocked.Increment(ref _evicted);
    }

    private void Bind(IPAddress address, NodeBootState node)
    {
        if (_addresses.TryGetValue(address, out var previous))
        {
            if (previous.Equals(node.Mac))
            {
                node.Addresses.Remove(address);
                node.Addresses.Add(address);
                return;
            }

            Unbind(address);
        }

        _addresses[address] = node.Mac;
        node.Addresses.Add(address);
        if (node.Addresses.Count > MaxAddressesPerNode)
        {
            Unbind(node.Addresses[0]);
        }
    }

    private void Unbind(IPAddress address)
    {
        if (_addresses.Remove(address, out var mac) && _nodes.TryGetValue(mac, out var node))
        {
            node.Addresses.Remove(address);
        }
    }

    private void Advance(NodeBootState node, BootStage stage, DateTimeOffset timestamp, string cause, ref List<BootStageEvent>? reached)
    {
        if (node.Reached.TryGetValue(stage, out var seen))
        {
            if (timestamp < seen)
            {
                node.Reached[stage] = timestamp;
            }

            return;
        }

        node.Reached[stage] = timestamp;
        if (stage <= node.Stage)
        {
            return;
        }

        var previous = node.Stage;
        node.Stage = stage;
        _atStage[(int)previous]--;
        _atStage[(int)stage]++;
        var snapshot = node.ToSnapshot();
        (reached ??= []).Add(new BootStageEvent
        {
            Timestamp = timestamp,
            MacAddress = node.Mac,
            IPAddress = node.Address,
            Stage = stage,
            Previous = previous,
            NodeName = node.Name,
            Cause = cause,
            Timeline = snapshot,
        });

        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Offer(node, snapshot))
            {
                _waiters.RemoveAt(i);
            }
        }
    }

    private sealed record Held(IPAddress Address, BootStage Stage, DateTimeOffset Timestamp, string Cause, DateTimeOffset HeldAt);
}
