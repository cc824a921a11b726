using NodeFoundry.Events;

namespace NodeFoundry.Http;

/// <summary>
/// A node called <c>phone-home/{mac}</c>: its installer finished. <see cref="BootEvent.MacAddress"/> is the node's
/// boot MAC (from the route), <see cref="BootEvent.IPAddress"/> the address it called from.
/// </summary>
public sealed record PhoneHomeEvent : BootEvent
{
    public override string Source => "http";

    /// <summary>The fleet node with that MAC.</summary>
    public required string NodeName { get; init; }

    /// <summary>True when network boot is disarmed for the node from now on (<c>http.disarmAfterInstall</c>): its script exits to the local disk.</summary>
    public bool Disarmed { get; init; }
}
