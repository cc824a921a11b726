namespace NodeFoundry.Lab;

/// <summary>What a <see cref="UdpImpairmentRelay"/> has done so far (a snapshot).</summary>
public sealed record UdpImpairmentRelayCounters
{
    /// <summary>Datagrams received from clients.</summary>
    public long FromClients { get; init; }

    /// <summary>Datagrams received from the server.</summary>
    public long FromServer { get; init; }

    /// <summary>Copies sent to the server (after loss and duplication).</summary>
    public long ToServer { get; init; }

    /// <summary>Copies sent to clients (after loss and duplication).</summary>
    public long ToClients { get; init; }

    public long LostToServer { get; init; }

    public long LostToClients { get; init; }

    public long DuplicatedToServer { get; init; }

    public long DuplicatedToClients { get; init; }

    /// <summary>Datagrams held back so that later ones overtake them.</summary>
    public long Reordered { get; init; }

    public long MappingsOpened { get; init; }

    public long MappingsExpired { get; init; }

    /// <summary>Live mappings right now.</summary>
    public long MappingsActive { get; init; }

    /// <summary>Mirrored reply ports opened (server answered from a port other than the target's).</summary>
    public long ReplyPortsOpened { get; init; }

    /// <summary>Datagrams dropped because a cap was reached (mappings, reply ports, pending datagrams).</summary>
    public long DroppedAtCap { get; init; }

    /// <summary>Datagrams that reached a mirrored reply port from someone other than its client.</summary>
    public long Strangers { get; init; }

    public long SendErrors { get; init; }

    public long ReceiveErrors { get; init; }

    /// <summary>Total datagrams lost on purpose, both ways.</summary>
    public long Lost => LostToServer + LostToClients;

    /// <summary>Total datagrams duplicated on purpose, both ways.</summary>
    public long Duplicated => DuplicatedToServer + DuplicatedToClients;
}
