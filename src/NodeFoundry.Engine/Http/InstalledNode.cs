using System.Net.NetworkInformation;

namespace NodeFoundry.Http;

/// <summary>A node that phoned home: when, and whether its network boot is disarmed.</summary>
/// <param name="MacAddress">The node's boot MAC.</param>
/// <param name="NodeName">The fleet node name at the time, if known.</param>
/// <param name="InstalledAt">When it phoned home (UTC).</param>
/// <param name="Disarmed">True while its <c>boot/{mac}.ipxe</c> answers the exit-to-disk script.</param>
public sealed record InstalledNode(PhysicalAddress MacAddress, string? NodeName, DateTimeOffset InstalledAt, bool Disarmed);
