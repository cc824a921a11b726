using System.Net.NetworkInformation;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Fleet;
using NodeFoundry.Http;
using NodeFoundry.Net;
using NodeFoundry.Metrics;
using NodeFoundry.Storage;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Hosting;

/// <summary>
/// DHCP, TFTP and HTTP (with the fleet's per-node routes, phone-home's installed store and /metrics) from one
/// fleet file, publishing through one <see cref="BootTimeline"/> and run together: when one engine cannot
/// run, the others stop and <see cref="RunAsync"/> throws a <see cref="BootStackException"/> naming it and why.
/// A half-started boot stack misleads operators. Both `serve` and Start-NfBootStack run this.
/// </summary>
public sealed class BootStack : IBootService, IListeningService, IDisposable
{
    private readonly List<IBootService> _services = [];
    private readonly ForwardingSink _forward = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _notices = [];
    private int _started;

    public BootStack(FleetConfig fleet, BootStackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        options ??= new BootStackOptions();
        Fleet = fleet;
        var openBootEvents = options.BootEventStore ?? (BootEventStores.IsShared(fleet) ? () => BootEventStores.OpenPostgres(fleet) : null);
        if (openBootEvents is not null)
        {
            // Stage events go to the shared store too, off the hot path; its outages are reported to the stack's sink.
            BootEvents = new BootEventRecorder(openBootEvents, LeaseStores.ServerName(fleet), _forward,
                options.BootEventRecorder ?? new BootEventRecorderOptions { Retention = fleet.Storage.EventRetention });
        }

        Timeline = new BootTimeline(BootEvents is null ? _forward : new FanOutSink(BootEvents, _forward), BootTimelineOptions.ForFleet(fleet));
        Metrics = new MetricsRegistry().AddTimeline(Timeline);
        if (BootEvents is not null)
        {
            Metrics.AddBootEvents(BootEvents);
        }

        var fleetDhcp = DhcpServerOptions.FromFleet(fleet);
        var listen = options.ListenAddress ?? fleetDhcp.ListenAddress;
        var interfaceName = options.InterfaceName is { Length: 0 } ? null : options.InterfaceName ?? fleetDhcp.InterfaceName;
        if (options.Engines.HasFlag(BootStackEngines.Dhcp))
        {
            Dhcp = new DhcpServer(fleet, new DhcpServerOptions
            {
                ListenAddress = listen,
                Port = options.DhcpPort ?? fleetDhcp.Port,
                RelayPort = options.DhcpRelayPort ?? fleetDhcp.RelayPort,
                InterfaceName = interfaceName,
                JournalPath = options.NoJournal ? null : options.JournalPath ?? fleetDhcp.JournalPath,
                Mode = fleetDhcp.Mode,
                LeaseStore = fleetDhcp.LeaseStore,
                AllocationStart = fleetDhcp.AllocationStart,
            });
            Metrics.AddDhcp(Dhcp);
            _services.Add(Dhcp);
        }

        if (options.Engines.HasFlag(BootStackEngines.Tftp))
        {
            var tftpOptions = TftpServerOptions.FromFleet(fleet);
            tftpOptions = tftpOptions with
            {
                ListenAddress = listen,
                InterfaceName = interfaceName,
                Port = options.TftpPort ?? tftpOptions.Port,
            };
            if (!Directory.Exists(tftpOptions.Root))
            {
                // A fresh fleet folder has no loaders yet; serve an empty root (every request: file not found)
                // and say so, rather than refuse to start DHCP.
                Directory.CreateDirectory(tftpOptions.Root);
                _notices.Add($"created the empty TFTP root {tftpOptions.Root}; put the boot loaders (undionly.kpxe, snponly.efi, …) there");
            }

            Tftp = new TftpServer(tftpOptions);
            Metrics.AddTftp(Tftp.Counters);
            _services.Add(Tftp);
        }

        if (options.Engines.HasFlag(BootStackEngines.Http))
        {
            var httpOptions = HttpServerOptions.FromFleet(fleet);
            httpOptions = httpOptions with
            {
                ListenAddress = options.ListenAddress ?? httpOptions.ListenAddress,
                Port = options.HttpPort ?? httpOptions.Port,
            };
            if (!Directory.Exists(httpOptions.Root))
            {
                // Not fatal: routes still answer; files are 404 until the folder exists.
                _notices.Add($"the HTTP root {httpOptions.Root} does not exist; static files answer 404 until it does");
            }

            Installed = InstalledNodeStore.Open(fleet.Server.StateDirectory);
            Http = new HttpBootServer(httpOptions);
            if (Tftp is not null)
            {
                // One link: TFTP's lock-step blocks go first, the paced downloads share what they leave.
                Http.ShareLinkWith(Tftp.Counters);
            }

            if (interfaceName is not null && InterfaceTxMeter.TryOpen(interfaceName) is { } linkMeter)
            {
                // What really left through the interface corrects the paced sum (http.egressMbps).
                Http.MeasureLinkWith(linkMeter);
            }

            new FleetHttpRoutes(fleet, Timeline, Installed).MapTo(Http.Routes);
            Metrics.AddHttp(Http.Counters).AddInstalled(Installed).MapTo(Http.Routes);
            _services.Add(Http);
        }

        if (_services.Count == 0)
        {
            throw new ArgumentException("a boot stack needs at least one engine", nameof(options));
        }
    }

    /// <summary>"stack:" and the engines' names, e.g. "stack: dhcp@0.0.0.0:67, tftp@0.0.0.0:69, http@0.0.0.0:80".</summary>
    public string Name => $"stack: {string.Join(", ", _services.Select(s => s.Name))}";

    public FleetConfig Fleet { get; }

    /// <summary>Every engine publishes through it; per-node timelines, waitable.</summary>
    public BootTimeline Timeline { get; }

    /// <summary>
    /// Records the stack's boot events and node sightings in the store the fleet's servers share (null when they
    /// share none); its <see cref="BootEventRecorder.Store"/> reads the whole fleet's timelines and inventory.
    /// </summary>
    public BootEventRecorder? BootEvents { get; }

    /// <summary>
    /// The timelines an operator should see: with a shared store, every server's events merged with this stack's own
    /// (which hold what is not written yet) — the whole fleet; without one, this stack's own. Throws
    /// <see cref="IOException"/> when the shared store cannot be read (<see cref="Timeline"/> still can).
    /// </summary>
    public IReadOnlyList<NodeBootTimeline> ReadFleetTimelines()
    {
        if (BootEvents is null)
        {
            return Timeline.Snapshot();
        }

        var store = BootEvents.Store ?? throw new BootEventStoreUnavailableException($"the {BootEvents.Description} has not been reached since the stack started");
        return FleetTimeline.Read(store, Fleet, local: Timeline.Snapshot());
    }

    /// <summary>
    /// Completes when <paramref name="count"/> nodes (or every one of <paramref name="macAddresses"/>) reached
    /// <paramref name="stage"/>. On a shared store, on any server of the fleet (<see cref="FleetStageWait"/>: the store is read
    /// every <paramref name="pollInterval"/>, 2 s by default); otherwise on this stack, as its timeline's events come.
    /// Throws <see cref="BootStageTimeoutException"/> naming the missing nodes when <paramref name="timeout"/> passes first.
    /// </summary>
    public Task<IReadOnlyList<NodeBootTimeline>> WaitForStageAsync(BootStage stage, int count, IReadOnlyCollection<PhysicalAddress>? macAddresses, TimeSpan timeout, CancellationToken cancellationToken = default, TimeSpan? pollInterval = null)
    {
        if (BootEvents is not null)
        {
            return FleetStageWait.WaitAsync(ReadFleetTimelines, stage, count, macAddresses, timeout, pollInterval ?? FleetStageWait.DefaultPollInterval, cancellationToken: cancellationToken);
        }

        return macAddresses is null
            ? Timeline.WaitForStageAsync(stage, count, timeout, cancellationToken)
            : Timeline.WaitForStageAsync(stage, macAddresses, timeout, cancellationToken);
    }

    /// <summary>What /metrics renders.</summary>
    public MetricsRegistry Metrics { get; }

    public DhcpServer? Dhcp { get; }

    public TftpServer? Tftp { get; }

    public HttpBootServer? Http { get; }

    /// <summary>Phone-home's record of installed nodes (with HTTP only).</summary>
    public InstalledNodeStore? Installed { get; }

    /// <summary>The engines, in start order.</summary>
    public IReadOnlyList<IBootService> Services => _services;

    /// <summary>Things an operator should know before serving (e.g. a root folder was created or is missing).</summary>
    public IReadOnlyList<string> Notices => _notices;

    /// <summary>Completes when every engine is bound; faults with the <see cref="BootStackException"/> of the first that failed.</summary>
    public Task WhenListening => _listening.Task;

    public async Task RunAsync(IBootEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a boot stack runs once");
        }

        _forward.Target = events;
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        BootStackException? failure = null;
        var gate = new object();
        var runs = _services.Select(async service =>
        {
            try
            {
                await service.RunAsync(Timeline, stopAll.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                lock (gate)
                {
                    failure ??= new BootStackException(service.Name, $"{service.Name} failed: {ex.Message}", ex);
                }

                await stopAll.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopAll.IsCancellationRequested)
            {
                // Stopped: by the caller, or because another engine failed (reported below).
            }
        }).ToList();

        _ = WatchListeningAsync(stopAll.Token);

        // Stopped after the engines, so it gets their last events and tries to write them before the stack ends.
        using var stopRecording = new CancellationTokenSource();
        var recorder = BootEvents;
        var recording = recorder is null ? Task.CompletedTask : Task.Run(() => recorder.RunAsync(stopRecording.Token), CancellationToken.None);
        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            await stopRecording.CancelAsync().ConfigureAwait(false);
            await recording.ConfigureAwait(false);
            lock (gate)
            {
                if (failure is not null)
                {
                    _listening.TrySetException(failure);
                }
                else
                {
                    _listening.TrySetCanceled(cancellationToken.IsCancellationRequested ? cancellationToken : CancellationToken.None);
                }
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    public void Dispose()
    {
        foreach (var service in _services.OfType<IDisposable>())
        {
            service.Dispose();
        }

        BootEvents?.Dispose();

        _listening.TrySetCanceled();
    }

    private async Task WatchListeningAsync(CancellationToken stop)
    {
        try
        {
            await Task.WhenAll(_services.OfType<IListeningService>().Select(s => s.WhenListening)).WaitAsync(stop).ConfigureAwait(false);
            _listening.TrySetResult();
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // RunAsync settles WhenListening with the failure (or the cancellation) once every engine has stopped.
        }
    }

    /// <summary>The timeline's onward sink, which exists only once the stack runs.</summary>
    private sealed class ForwardingSink : IBootEventSink
    {
        public IBootEventSink? Target { get; set; }

        public void Publish(BootEvent bootEvent) => Target?.Publish(bootEvent);
    }
}
