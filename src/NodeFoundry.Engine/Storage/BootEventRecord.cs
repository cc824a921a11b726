using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Timeline;

namespace NodeFoundry.Storage;

/// <summary>
/// One row of the fleet's boot-event log: a server saw a node reach <see cref="Stage"/> at <see cref="At"/>. Every
/// server sharing a store appends its own; a reader merges them by time into one timeline per node
/// (<see cref="FleetTimeline"/>), so any console sees the whole fleet's boots whichever servers answered them.
/// </summary>
/// <param name="At">When the server observed it (the engine's timestamp, UTC).</param>
/// <param name="MacAddress">The node's boot MAC.</param>
/// <param name="IPAddress">The address the node had then, when the server knew it.</param>
/// <param name="Stage">The stage reached.</param>
/// <param name="Server">Which server saw it (<see cref="LeaseStores.ServerName"/>).</param>
/// <param name="Detail">What caused it, such as <c>tftp undionly.kpxe</c> (<see cref="BootStageEvent.Cause"/>).</param>
public sealed record BootEventRecord(
    DateTimeOffset At,
    PhysicalAddress MacAddress,
    IPAddress? IPAddress,
    BootStage Stage,
    string Server,
    string? Detail);
