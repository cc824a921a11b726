using NodeFoundry.Boot;
using System.Globalization;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;

namespace NodeFoundry.Host;

/// <summary>One log line per engine event, for journald and terminals: time, engine, what, who, detail.</summary>
internal static class EventFormatter
{
    public static string Format(BootEvent bootEvent) => bootEvent switch
    {
        LeaseEvent lease => string.Create(
            CultureInfo.InvariantCulture,
            $"{lease.Timestamp:HH:mm:ss.fff} dhcp {lease.Kind,-8} {lease.MacAddress?.ToString() ?? "-",-12} {lease.Address?.ToString() ?? "-",-15} {Boot.FirmwareKindNames.ToName(lease.Firmware),-12}{(lease.IsIpxe ? " ipxe" : string.Empty)} {lease.BootFile ?? string.Empty}{(lease.Reason is null ? string.Empty : " (" + lease.Reason + ")")}"),
        Http.HttpRequestEvent http => string.Create(
            CultureInfo.InvariantCulture,
            $"{http.Timestamp:HH:mm:ss.fff} http {http.StatusCode} {http.IPAddress?.ToString() ?? "-",-15} {(http.Method.Length == 0 ? "-" : http.Method)} {http.Path} {http.BytesSent}/{http.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "-"} bytes {http.Duration.TotalMilliseconds:0}ms{(http.Range is null ? string.Empty : " range=" + http.Range)} \"{http.UserAgent}\"{(http.Reason is null ? string.Empty : " (" + http.Reason + ")")}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bootEvent.Timestamp:HH:mm:ss.fff} {bootEvent.Source} {bootEvent}"),
    };
}
