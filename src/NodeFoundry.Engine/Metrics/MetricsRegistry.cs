using NodeFoundry.Boot;
using NodeFoundry.Dhcp;
using NodeFoundry.Dhcp.Leases;
using NodeFoundry.Http;
using NodeFoundry.Storage;
using NodeFoundry.Tftp;
using NodeFoundry.Timeline;

namespace NodeFoundry.Metrics;

/// <summary>
/// The servers a host runs, read on demand into Prometheus text (<c>/metrics</c>). Add whatever runs (a host
/// without TFTP adds no TFTP counters; those families are then absent). Counters of several servers of one
/// kind are summed. Reading never blocks the servers: every source is an atomic counter or a short lock.
/// See docs/metrics.md for the metric names.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly List<(DhcpServerCounters Counters, Func<IReadOnlyList<PoolUsage>> Pools)> _dhcp = [];
    private readonly List<TftpServerCounters> _tftp = [];
    private readonly List<HttpServerCounters> _http = [];
    private readonly List<InstalledNodeStore> _installed = [];
    private readonly List<BootTimeline> _timelines = [];
    private readonly List<BootEventRecorder> _recorders = [];
    private readonly object _gate = new();

    /// <summary>A DHCP server: offers/acks by firmware, and lease usage per range.</summary>
    public MetricsRegistry AddDhcp(DhcpServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return AddDhcp(server.Counters, server.GetPoolUsage);
    }

    /// <summary>DHCP counters and where to read range usage from.</summary>
    public MetricsRegistry AddDhcp(DhcpServerCounters counters, Func<IReadOnlyList<PoolUsage>> pools)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(pools);
        lock (_gate)
        {
            _dhcp.Add((counters, pools));
        }

        return this;
    }

    public MetricsRegistry AddTftp(TftpServerCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_gate)
        {
            _tftp.Add(counters);
        }

        return this;
    }

    public MetricsRegistry AddHttp(HttpServerCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_gate)
        {
            _http.Add(counters);
        }

        return this;
    }

    /// <summary>Phone-home state: nodes installed.</summary>
    public MetricsRegistry AddInstalled(InstalledNodeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        lock (_gate)
        {
            _installed.Add(store);
        }

        return this;
    }

    /// <summary>A boot timeline: nodes per boot stage (each node counted at its latest stage).</summary>
    public MetricsRegistry AddTimeline(BootTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        lock (_gate)
        {
            _timelines.Add(timeline);
        }

        return this;
    }

    /// <summary>A boot-event recorder: its backlog, what it wrote and let go, and whether its store is reachable.</summary>
    public MetricsRegistry AddBootEvents(BootEventRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        lock (_gate)
        {
            _recorders.Add(recorder);
        }

        return this;
    }

    /// <summary>Maps <c>GET /metrics</c> (or <paramref name="pattern"/>) onto <paramref name="routes"/>.</summary>
    public HttpRouteTable MapTo(HttpRouteTable routes, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.Map(pattern, _ => HttpRouteContent.Text(Render(), PrometheusWriter.ContentType));
    }

    /// <summary>Every metric of every added server, in exposition format.</summary>
    public string Render()
    {
        (DhcpServerCounters Counters, Func<IReadOnlyList<PoolUsage>> Pools)[] dhcp;
        TftpServerCounters[] tftp;
        HttpServerCounters[] http;
        InstalledNodeStore[] installed;
        BootTimeline[] timelines;
        BootEventRecorder[] recorders;
        lock (_gate)
        {
            timelines = [.. _timelines];
            recorders = [.. _recorders];
            dhcp = [.. _dhcp];
            tftp = [.. _tftp];
            http = [.. _http];
            installed = [.. _installed];
        }

        var w = new PrometheusWriter();
        if (dhcp.Length > 0)
        {
            WriteDhcp(w, dhcp);
        }

        if (tftp.Length > 0)
        {
            WriteTftp(w, tftp);
        }

        if (http.Length > 0)
        {
            WriteHttp(w, http);
        }

        if (installed.Length > 0)
        {
            w.Family("nodefoundry_nodes_installed", "gauge", "Nodes that phoned home (phone-home/{mac}), as recorded in the state directory.")
                .Sample(installed.Sum(s => (long)s.InstalledCount));
            w.Family("nodefoundry_nodes_disarmed", "gauge", "Installed nodes whose network boot is disarmed (their script exits to the local disk).")
                .Sample(installed.Sum(s => (long)s.Snapshot().Count(n => n.Disarmed)));
            w.Family("nodefoundry_phone_home_total", "counter", "Phone-home calls recorded since the server started, repeats included.")
                .Sample(installed.Sum(s => s.PhoneHomes));
        }

        if (timelines.Length > 0)
        {
            WriteStages(w, timelines);
        }

        if (recorders.Length > 0)
        {
            w.Family("nodefoundry_boot_events_backlog", "gauge", "Boot events waiting to be written to the shared store (bounded; grows during an outage).")
                .Sample(recorders.Sum(r => (long)r.Backlog));
            w.Family("nodefoundry_boot_events_written_total", "counter", "Boot events written to the shared store.")
                .Sample(recorders.Sum(r => r.Written));
            w.Family("nodefoundry_boot_events_dropped_total", "counter", "Boot events let go because the backlog was full.")
                .Sample(recorders.Sum(r => r.Dropped));
            w.Family("nodefoundry_boot_events_pruned_total", "counter", "Boot events this server deleted from the shared store as older than storage.eventRetention.")
                .Sample(recorders.Sum(r => r.Pruned));
            w.Family("nodefoundry_boot_events_store_up", "gauge", "1 while the shared boot-event store is reachable, 0 during an outage.")
                .Sample(recorders.All(r => !r.IsUnavailable) ? 1 : 0);
        }

        return w.ToString();
    }

    private static readonly BootStage[] Stages = Enum.GetValues<BootStage>();

    private static void WriteStages(PrometheusWriter w, BootTimeline[] timelines)
    {
        // Every stage is always a series (a fixed set, zeros included), labelled with the stage's name as
        // Wait-NfNode -Stage and the timeline spell it.
        Span<int> total = stackalloc int[(int)Stages.Max() + 1];
        Span<int> one = stackalloc int[total.Length];
        foreach (var timeline in timelines)
        {
            var count = timeline.CopyCountsByStage(one);
            for (var i = 0; i < count; i++)
            {
                total[i] += one[i];
            }
        }

        w.Family("nodefoundry_nodes_by_stage", "gauge", "Nodes the boot timeline tracks, by the latest boot stage each has reached (None: seen, no stage yet).");
        foreach (var stage in Stages)
        {
            w.Sample(total[(int)stage], ("stage", stage.ToString()));
        }
    }

    private static readonly FirmwareKind[] Firmwares = Enum.GetValues<FirmwareKind>();

    private static void WriteDhcp(PrometheusWriter w, (DhcpServerCounters Counters, Func<IReadOnlyList<PoolUsage>> Pools)[] dhcp)
    {
        w.Family("nodefoundry_dhcp_received_total", "counter", "DHCP datagrams received.").Sample(dhcp.Sum(d => d.Counters.Received));
        w.Family("nodefoundry_dhcp_offers_total", "counter", "DHCPOFFERs sent, by client firmware (option 93).");
        foreach (var firmware in Firmwares)
        {
            w.Sample(dhcp.Sum(d => d.Counters.OffersFor(firmware)), ("arch", FirmwareKindNames.ToName(firmware)));
        }

        w.Family("nodefoundry_dhcp_acks_total", "counter", "DHCPACKs sent (granted, renewed, informed), by client firmware (option 93).");
        foreach (var firmware in Firmwares)
        {
            w.Sample(dhcp.Sum(d => d.Counters.AcksFor(firmware)), ("arch", FirmwareKindNames.ToName(firmware)));
        }

        w.Family("nodefoundry_dhcp_naks_total", "counter", "DHCPNAKs sent.").Sample(dhcp.Sum(d => d.Counters.Naks));
        w.Family("nodefoundry_dhcp_malformed_total", "counter", "DHCP datagrams dropped as malformed.").Sample(dhcp.Sum(d => d.Counters.Malformed));

        var pools = dhcp.SelectMany(d => d.Pools())
            .GroupBy(p => p.Pool, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Pool: g.Key, Size: g.Sum(p => p.Size), Bound: g.Sum(p => p.Bound), Offered: g.Sum(p => p.Offered), Quarantined: g.Sum(p => p.Quarantined), Reserved: g.Sum(p => p.Reserved)))
            .ToList();
        w.Family("nodefoundry_dhcp_leases_in_use", "gauge", "Addresses of a range bound to a client now.");
        foreach (var p in pools)
        {
            w.Sample(p.Bound, ("range", p.Pool));
        }

        w.Family("nodefoundry_dhcp_leases_offered", "gauge", "Addresses of a range held for an outstanding offer now.");
        foreach (var p in pools)
        {
            w.Sample(p.Offered, ("range", p.Pool));
        }

        w.Family("nodefoundry_dhcp_range_size", "gauge", "Addresses in a range.");
        foreach (var p in pools)
        {
            w.Sample(p.Size, ("range", p.Pool));
        }
    }

    private static void WriteTftp(PrometheusWriter w, TftpServerCounters[] tftp)
    {
        w.Family("nodefoundry_tftp_transfers_active", "gauge", "TFTP transfers running now.").Sample(tftp.Sum(t => t.ActiveTransfers));
        w.Family("nodefoundry_tftp_transfers_queued", "gauge", "TFTP requests waiting for a transfer slot now.").Sample(tftp.Sum(t => t.QueuedTransfers));
        w.Family("nodefoundry_tftp_transfers_total", "counter", "TFTP transfers that ended, by result.")
            .Sample(tftp.Sum(t => t.Completed), ("result", "completed"))
            .Sample(tftp.Sum(t => t.Failed), ("result", "failed"))
            .Sample(tftp.Sum(t => t.Aborted), ("result", "aborted"));
        w.Family("nodefoundry_tftp_requests_refused_total", "counter", "TFTP requests refused (file not found, access, options).").Sample(tftp.Sum(t => t.Refused));
        w.Family("nodefoundry_tftp_retransmits_total", "counter", "TFTP retransmission events: timer expiries, fast retransmits and answers to a re-sent request.").Sample(tftp.Sum(t => t.Retransmits));
        w.Family("nodefoundry_tftp_resent_blocks_total", "counter", "TFTP DATA blocks sent more than once (the cost of loss recovery).").Sample(tftp.Sum(t => t.ResentBlocks));
        w.Family("nodefoundry_tftp_sent_datagrams_total", "counter", "TFTP datagrams sent (DATA, OACK and ERROR).").Sample(tftp.Sum(t => t.DatagramsSent));
        w.Family("nodefoundry_tftp_sent_bytes_total", "counter", "UDP payload bytes of the TFTP datagrams sent.").Sample(tftp.Sum(t => t.BytesSent));
    }

    private static void WriteHttp(PrometheusWriter w, HttpServerCounters[] http)
    {
        var routes = http.SelectMany(h => h.ByRoute())
            .GroupBy(r => r.Route, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Route: g.Key, ByClass: Enumerable.Range(0, 5).Select(i => g.Sum(r => r.RequestsByClass[i])).ToArray(), Bytes: g.Sum(r => r.BytesSent)))
            .ToList();
        w.Family("nodefoundry_http_requests_total", "counter", "HTTP requests answered, by route (pattern, static, or none before routing) and status class.");
        foreach (var r in routes)
        {
            for (var i = 0; i < 5; i++)
            {
                if (r.ByClass[i] > 0)
                {
                    w.Sample(r.ByClass[i], ("route", r.Route), ("code", $"{i + 1}xx"));
                }
            }
        }

        w.Family("nodefoundry_http_response_bytes_total", "counter", "HTTP response body bytes written, by route.");
        foreach (var r in routes)
        {
            w.Sample(r.Bytes, ("route", r.Route));
        }

        w.Family("nodefoundry_http_connections_active", "gauge", "HTTP connections open now.").Sample(http.Sum(h => h.ActiveConnections));
        w.Family("nodefoundry_http_connections_rejected_total", "counter", "HTTP connections turned away with 503 at the connection limit.").Sample(http.Sum(h => h.RejectedConnections));
        w.Family("nodefoundry_http_timeouts_total", "counter", "HTTP connections closed for idling or slow clients.").Sample(http.Sum(h => h.Timeouts));

        // Only where a server paces its downloads (http.egressMbps): is the link held at its budget, and by how many.
        var pacing = http.Select(h => h.Pacing).Where(p => p.HasValue).Select(p => p!.Value).ToList();
        if (pacing.Count > 0)
        {
            w.Family("nodefoundry_http_pacing_downloads", "gauge", "File bodies paced now (sending, or still leaving the send queue).").Sample(pacing.Sum(p => (long)p.Downloads));
            w.Family("nodefoundry_http_pacing_budget_bytes_per_second", "gauge", "TCP payload bytes/s the downloads may use now: http.egressMbps less what is kept for TFTP, times the correction.").Sample(pacing.Sum(p => p.BudgetBytesPerSecond));
            w.Family("nodefoundry_http_pacing_applied_bytes_per_second", "gauge", "The pacing rates applied to the downloads now, added up (TCP payload bytes/s).").Sample(pacing.Sum(p => p.AppliedBytesPerSecond));
            w.Family("nodefoundry_http_pacing_reserved_bytes_per_second", "gauge", "Wire bytes/s of the link kept for TFTP now.").Sample(pacing.Sum(p => p.ReservedWireBytesPerSecond));
            w.Family("nodefoundry_http_pacing_correction", "gauge", "Factor on the downloads' budget from the interface's own transmit count (1 = none yet).").Sample(pacing.Average(p => p.Correction));
        }
    }
}
