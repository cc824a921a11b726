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
        _ => string.Create(CultureInfo.InvariantCulture, $"{bootEvent.Timestamp:HH:mm:ss.fff} {bootEvent.Source} {bootEvent}"),
    };
}
