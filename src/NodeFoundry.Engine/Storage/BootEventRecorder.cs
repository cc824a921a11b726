using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Http;
using NodeFoundry.Timeline;

namespace NodeFoundry.Storage;

/// <summary>
/// Writes this server's boot events and node sightings to an <see cref="IBootEventStore"/> off the hot path. As a sink
/// it only queues, under a short lock (no I/O, no waiting), as engines require; <see cref="RunAsync"/> writes the
/// queue in batches of up to <see cref="BootEventRecorderOptions.MaxBatch"/> events, one store transaction each.
/// </summary>
/// <remarks>
/// <para>What it keeps: every <see cref="BootStageEvent"/> (a node reached a stage on this server) as a
/// <see cref="BootEventRecord"/>, and from DHCP lease events (option 97 UUID, option 93 architecture, address),
/// phone-home (installed) and discovery (UUID) a <see cref="NodeSighting"/> per node, merged while it waits.</para>
/// <para>Outage: a failed write leaves the batch at the head of the queue; tries are spaced by
/// <see cref="ReconnectBackoff"/>. The queue is the backlog, bounded by <see cref="BootEventRecorderOptions.MaxBacklog"/>
/// events: past it the oldest waiting event is let go and counted in <see cref="Dropped"/>. The outage, its end and an
/// overflow are each reported once as a <see cref="BootEventStoreEvent"/> to the report sink. Nothing here ever waits
/// on the engines or makes them wait, and leases are not involved: the DHCP server's lease store is separate.</para>
/// </remarks>
public sealed class BootEventRecorder : IBootEventSink, IDisposable
{
    private readonly object _sync = new();
    private readonly Func<IBootEventStore> _open;
    private readonly string _serverName;
    private readonly IBootEventSink? _reports;
    private readonly BootEventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ReconnectBackoff _backoff;
    private readonly Queue<(long Sequence, BootEventRecord Record)> _queue = new();
    private readonly Dictionary<PhysicalAddress, NodeSighting> _sightings = [];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _nextSequence;
    private long _dropped;
    private long _droppedSightings;
    private long _written;
    private long _pruned;

    // Touched by the flushing thread only.
    private long _droppedAtLastReport;
    private bool _overflowReported;
    private IBootEventStore? _store;
    private bool _unavailable;
    private int _started;
    private DateTimeOffset? _lastPrune;

    /// <param name="open">Opens the store; called by <see cref="RunAsync"/>, again after a failure, never by <see cref="Publish"/>.</param>
    /// <param name="serverName">How this server signs its events (<see cref="LeaseStores.ServerName"/>).</param>
    /// <param name="reports">Where outage, recovery and overflow reports go (the job's or the log's sink).</param>
    public BootEventRecorder(Func<IBootEventStore> open, string serverName, IBootEventSink? reports = null, BootEventRecorderOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        _open = open;
        _serverName = serverName;
        _reports = reports;
        _options = options ?? new BootEventRecorderOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _backoff = new ReconnectBackoff(_time) { FirstDelay = _options.RetryFirstDelay, MaxDelay = _options.RetryMaxDelay };
    }

    /// <summary>The store once it opened (readers use it), else null.</summary>
    public IBootEventStore? Store => Volatile.Read(ref _store);

    /// <summary>What the store is, or what is being opened.</summary>
    public string Description => Store?.Description ?? _options.StoreName;

    /// <summary>Events waiting to be written.</summary>
    public int Backlog
    {
        get
        {
            lock (_sync)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Events let go because the backlog was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Sightings of new nodes let go because <see cref="BootEventRecorderOptions.MaxBacklog"/> nodes were waiting.</summary>
    public long DroppedSightings => Interlocked.Read(ref _droppedSightings);

    /// <summary>Events written to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events this recorder deleted from the store as older than <see cref="BootEventRecorderOptions.Retention"/>.</summary>
    public long Pruned => Interlocked.Read(ref _pruned);

    /// <summary>True while the store cannot be reached.</summary>
    public bool IsUnavailable
    {
        get
        {
            lock (_sync)
            {
                return _unavailable;
            }
        }
    }

    public void Publish(BootEvent bootEvent)
    {
        ArgumentNullException.ThrowIfNull(bootEvent);
        BootEventRecord? record = bootEvent is BootStageEvent { MacAddress: { } mac } stage
            ? new BootEventRecord(stage.Timestamp, mac, stage.IPAddress, stage.Stage, _serverName, stage.Cause)
            : null;
        NodeSighting? sighting = SightingOf(bootEvent);
        if (record is null && sighting is null)
        {
            return;
        }

        bool wake;
        lock (_sync)
        {
            if (record is not null)
            {
                _queue.Enqueue((_nextSequence++, record));
                if (_queue.Count > _options.MaxBacklog)
                {
                    _queue.Dequeue();
                    Interlocked.Increment(ref _dropped);
                }
            }

            if (sighting is not null)
            {
                if (_sightings.TryGetValue(sighting.MacAddress, out NodeSighting? waiting))
                {
                    _sightings[sighting.MacAddress] = waiting.MergeWith(sighting);
                }
                else if (_sightings.Count < _options.MaxBacklog)
                {
                    _sightings[sighting.MacAddress] = sighting;
                }
                else
                {
                    Interlocked.Increment(ref _droppedSightings);
                }
            }

            wake = !_unavailable && _queue.Count >= _options.MaxBatch;
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// Opens the store and writes batches until <paramref name="cancellationToken"/> is cancelled, then tries once more
    /// to write what is left (unless the store is down). Never throws but for a second call.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a boot event recorder runs once");
        }

        // Opened at once, not at the first event: serve names the store it writes to, and an outage at start is
        // reported while it lasts.
        while (!cancellationToken.IsCancellationRequested)
        {
            if (FlushAvailable())
            {
                PruneIfDue();
            }

            try
            {
                // Woken at once when a batch is full, else every flush interval (which also paces retries: a try
                // before the back-off allows returns at once).
                await _wake.WaitAsync(_options.FlushInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (!IsUnavailable)
        {
            // Shutdown: the tail of the queue, while the store still answers; bounded by the store's own timeouts.
            FlushAvailable();
        }
    }

    /// <summary>
    /// Writes batches until the queue is empty or a write fails; returns false when the store could not be reached.
    /// <see cref="RunAsync"/> calls it; tests may call it directly.
    /// </summary>
    public bool FlushAvailable()
    {
        while (true)
        {
            if (_backoff.IsFailing && !_backoff.MayTry())
            {
                return false;
            }

            if (Store is null && !TryOpen())
            {
                return false;
            }

            List<(long Sequence, BootEventRecord Record)> batch;
            NodeSighting[] sightings;
            lock (_sync)
            {
                batch = [.. _queue.Take(_options.MaxBatch)];
                sightings = [.. _sightings.Values.Take(_options.MaxBatch)];
                foreach (NodeSighting sighting in sightings)
                {
                    _sightings.Remove(sighting.MacAddress);
                }
            }

            if (batch.Count == 0 && sightings.Length == 0)
            {
                // Reached (opened, or written just before) with nothing waiting: an outage is over.
                if (TakeRecovery())
                {
                    Report(BootEventStoreEventKind.Recovered, null);
                }

                return true;
            }

            try
            {
                Store!.Write([.. batch.Select(b => b.Record)], sightings);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Any failure of the store (an outage, a schema it refuses) must not stop serving: keep the batch
                // (still at the head of the queue), put the sightings back, report once, retry later.
                _backoff.Failed();
                Restore(sightings);
                ReportUnavailable(ex);
                ReportOverflow();
                return false;
            }

            _backoff.Succeeded();
            bool recovered;
            bool drained;
            lock (_sync)
            {
                // Overflow may have let go of some of this batch meanwhile: remove only what is still queued.
                long end = batch.Count == 0 ? long.MinValue : batch[^1].Sequence;
                while (_queue.Count > 0 && _queue.Peek().Sequence <= end)
                {
                    _queue.Dequeue();
                }

                drained = _queue.Count == 0;
                recovered = _unavailable && drained;
                if (recovered)
                {
                    _unavailable = false;
                }
            }

            Interlocked.Add(ref _written, batch.Count);
            ReportOverflow();
            if (recovered)
            {
                Report(BootEventStoreEventKind.Recovered, null);
            }

            if (drained)
            {
                // The episode is over: a later overflow is news again.
                _overflowReported = false;
            }
        }
    }

    /// <summary>
    /// Deletes events past the retention when <see cref="BootEventRecorderOptions.PruneInterval"/> has passed since the
    /// last prune (or none ran yet); returns how many went. Every server sharing the store prunes: the deletes are
    /// idempotent, so several servers doing it only repeat a cheap indexed scan. A failure waits for the next interval
    /// (the next flush reports an outage, if it is one). <see cref="RunAsync"/> calls it after each flush that reached
    /// the store; tests may call it directly.
    /// </summary>
    public int PruneIfDue()
    {
        if (_options.Retention is not { } retention || Store is not { } store)
        {
            return 0;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (_lastPrune is { } last && now - last < _options.PruneInterval)
        {
            return 0;
        }

        _lastPrune = now;
        try
        {
            int pruned = store.PruneEvents(now - retention, _options.MaxPrunedPerInterval);
            Interlocked.Add(ref _pruned, pruned);
            return pruned;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Pruning is housekeeping: it never stops recording, and an outage is the writes' to report.
            return 0;
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _store, null)?.Dispose();
        _wake.Dispose();
    }

    /// <summary>What an event says about its node for the inventory, or null.</summary>
    private NodeSighting? SightingOf(BootEvent bootEvent) => bootEvent switch
    {
        LeaseEvent { Kind: LeaseEventKind.Offered or LeaseEventKind.Granted or LeaseEventKind.Renewed, MacAddress: { } mac } lease => new NodeSighting
        {
            MacAddress = mac,
            FirstSeen = lease.Timestamp,
            LastSeen = lease.Timestamp,
            Server = _serverName,
            Uuid = lease.ClientUuid,

            // iPXE reports its own build, not the firmware's: the inventory keeps what the firmware said.
            Architecture = lease.IsIpxe ? null : lease.ClientArchitecture,
            IPAddress = lease.Address,
            HostName = lease.HostName,
        },
        PhoneHomeEvent { MacAddress: { } mac } phoneHome => new NodeSighting
        {
            MacAddress = mac,
            FirstSeen = phoneHome.Timestamp,
            LastSeen = phoneHome.Timestamp,
            Server = _serverName,
            IPAddress = phoneHome.IPAddress,
            InstalledAt = phoneHome.Timestamp,
        },
        NodeDiscoveredEvent { MacAddress: { } mac } discovered => new NodeSighting
        {
            MacAddress = mac,
            FirstSeen = discovered.Timestamp,
            LastSeen = discovered.Timestamp,
            Server = _serverName,
            Uuid = Guid.TryParse(discovered.Uuid, out Guid uuid) ? uuid : null,
            IPAddress = discovered.IPAddress,
        },
        _ => null,
    };

    /// <summary>Opens the store; a failure is an outage like a failed write (reported once, retried with back-off).</summary>
    private bool TryOpen()
    {
        try
        {
            Volatile.Write(ref _store, _open());
            _backoff.Succeeded();
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _backoff.Failed();
            ReportUnavailable(ex);
            return false;
        }
    }

    /// <summary>True (once) when the store was unavailable and nothing waits any more.</summary>
    private bool TakeRecovery()
    {
        lock (_sync)
        {
            if (!_unavailable || _queue.Count > 0)
            {
                return false;
            }

            _unavailable = false;
            return true;
        }
    }

    private void Restore(NodeSighting[] sightings)
    {
        lock (_sync)
        {
            foreach (NodeSighting sighting in sightings)
            {
                _sightings[sighting.MacAddress] = _sightings.TryGetValue(sighting.MacAddress, out NodeSighting? newer) ? sighting.MergeWith(newer) : sighting;
            }
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one wake-up is enough.
        }
        catch (ObjectDisposedException)
        {
            // Disposed after the run: nothing left to wake.
        }
    }

    private void ReportUnavailable(Exception ex)
    {
        lock (_sync)
        {
            if (_unavailable)
            {
                return;
            }

            _unavailable = true;
        }

        Report(BootEventStoreEventKind.Unavailable, ex.Message);
    }

    /// <summary>The first overflow of an episode (an outage, or a store slower than the events) is reported once; the total is in every later report.</summary>
    private void ReportOverflow()
    {
        if (!_overflowReported && Dropped > 0 && Dropped > _droppedAtLastReport)
        {
            _overflowReported = true;
            _droppedAtLastReport = Dropped;
            Report(BootEventStoreEventKind.Overflowed, $"the backlog of {_options.MaxBacklog} events was full; the oldest were let go");
        }
    }

    private void Report(BootEventStoreEventKind kind, string? reason) =>
        _reports?.Publish(new BootEventStoreEvent
        {
            Timestamp = _time.GetUtcNow(),
            Kind = kind,
            Store = Description,
            Reason = reason,
            Backlog = Backlog,
            Dropped = Dropped,
        });
}
