using NodeFoundry.Boot;
using System.Globalization;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Tftp;

namespace NodeFoundry.Host;

/// <summary>One log line per engine event, for journald and terminals: time, engine, what, who, detail.</summary>
internal static class EventFormatter
{
    public static string Format(BootEvent bootEvent) => bootEvent switch
    {
        LeaseEvent lease => string.Create(
            CultureInfo.InvariantCulture,
            $"{lease.Timestamp:HH:mm:ss.fff} dhcp {lease.Kind,-8} {lease.MacAddress?.ToString() ?? "-",-12} {lease.Address?.ToString() ?? "-",-15} {Boot.FirmwareKindNames.ToName(lease.Firmware),-12}{(lease.IsIpxe ? " ipxe" : string.Empty)} {lease.BootFile ?? string.Empty}{(lease.Reason is null ? string.Empty : " (" + lease.Reason + ")")}"),
        LeaseStoreEvent store => string.Create(
            CultureInfo.InvariantCulture,
            $"{store.Timestamp:HH:mm:ss.fff} dhcp store-{(store.Kind == LeaseStoreEventKind.Unavailable ? "unavailable" : "recovered")} {store.Store}{(store.Reason is null ? string.Empty : " (" + store.Reason + ")")}"),
        TransferEvent { Kind: TransferEventKind.Refused or TransferEventKind.Queued } transfer => string.Create(
            CultureInfo.InvariantCulture,
            $"{transfer.Timestamp:HH:mm:ss.fff} tftp {transfer.Kind,-9} {transfer.Client,-21} {transfer.FileName ?? "-"}{(transfer.Reason is null ? string.Empty : " (" + transfer.Reason + ")")}"),
        TransferEvent transfer => string.Create(
            CultureInfo.InvariantCulture,
            $"{transfer.Timestamp:HH:mm:ss.fff} tftp {transfer.Kind,-9} {transfer.Client,-21} {transfer.FileName ?? "-"} {transfer.BytesTransferred}/{transfer.FileSize?.ToString(CultureInfo.InvariantCulture) ?? "-"} B blksize {transfer.BlockSize} window {transfer.WindowSize} {transfer.Duration.TotalMilliseconds:0}ms retransmits {transfer.Retransmits}{(transfer.Reason is null ? string.Empty : " (" + transfer.Reason + ")")}"),
        Http.HttpRequestEvent http => string.Create(
            CultureInfo.InvariantCulture,
            $"{http.Timestamp:HH:mm:ss.fff} http {http.StatusCode} {http.IPAddress?.ToString() ?? "-",-15} {(http.Method.Length == 0 ? "-" : http.Method)} {http.Path} {http.BytesSent}/{http.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "-"} bytes {http.Duration.TotalMilliseconds:0}ms{(http.Range is null ? string.Empty : " range=" + http.Range)} \"{http.UserAgent}\"{(http.Reason is null ? string.Empty : " (" + http.Reason + ")")}"),
        Http.PhoneHomeEvent home => string.Create(
            CultureInfo.InvariantCulture,
            $"{home.Timestamp:HH:mm:ss.fff} http phone-home {home.NodeName} {(home.MacAddress is null ? "-" : Fleet.MacAddressText.Format(home.MacAddress))} {home.IPAddress?.ToString() ?? "-"}{(home.Disarmed ? " (network boot disarmed)" : string.Empty)}"),
        Http.NodeDiscoveredEvent found => string.Create(
            CultureInfo.InvariantCulture,
            $"{found.Timestamp:HH:mm:ss.fff} http discovered {(found.MacAddress is null ? "-" : Fleet.MacAddressText.Format(found.MacAddress))} {found.IPAddress?.ToString() ?? "-"} uuid {found.Uuid ?? "-"}"),
        Timeline.BootStageEvent stage => string.Create(
            CultureInfo.InvariantCulture,
            $"{stage.Timestamp:HH:mm:ss.fff} node {stage.Stage,-13} {stage.MacAddress?.ToString() ?? "-",-12} {stage.IPAddress?.ToString() ?? "-",-15} {stage.NodeName ?? "-"} (from {stage.Previous}; {stage.Cause})"),
        Storage.BootEventStoreEvent store => string.Create(
            CultureInfo.InvariantCulture,
            $"{store.Timestamp:HH:mm:ss.fff} events {StoreEventName(store.Kind)} {store.Store} backlog {store.Backlog} dropped {store.Dropped}{(store.Reason is null ? string.Empty : " (" + store.Reason + ")")}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bootEvent.Timestamp:HH:mm:ss.fff} {bootEvent.Source} {bootEvent}"),
    };

    /// <summary>
    /// What <c>serve --quiet</c> still prints: what went wrong or changed state (a refused or declined lease, a failed
    /// or refused transfer, an HTTP answer of 400 or more, a store that went away or came back), and the rare events an
    /// operator waits for (phone-home, a newly discovered node). Not the routine line per lease, transfer, request and
    /// boot stage: in a 2,000-node storm those are tens of thousands of lines (nginx's access_log off, error_log on).
    /// </summary>
    public static bool NeedsAttention(BootEvent bootEvent) => bootEvent switch
    {
        LeaseEvent lease => lease.Kind is LeaseEventKind.Refused or LeaseEventKind.Declined,
        TransferEvent transfer => transfer.Kind is TransferEventKind.Failed or TransferEventKind.Refused,
        Http.HttpRequestEvent http => http.StatusCode >= 400,
        Timeline.BootStageEvent => false,
        _ => true,
    };

    /// <summary>unavailable, recovered, overflowed: the words operators grep the log for (<c>events unavailable</c>; the lease store's are <c>dhcp store-…</c>).</summary>
    private static string StoreEventName(Storage.BootEventStoreEventKind kind) => kind switch
    {
        Storage.BootEventStoreEventKind.Unavailable => "unavailable",
        Storage.BootEventStoreEventKind.Recovered => "recovered",
        _ => "overflowed",
    };
}
