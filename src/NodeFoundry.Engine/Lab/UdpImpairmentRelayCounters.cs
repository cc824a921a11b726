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

    /// <summary>The first stranger: which reply port, whose, and who sent to it (null if none). One is enough to tell a reused port from a lost client.</summary>
    public string? FirstStranger { get; init; }

    /// <summary>The first client whose server answered from a second transfer port (null if none): two transfers for one request, or another's.</summary>
    public string? FirstSecondReplyPort { get; init; }

    public long SendErrors { get; init; }

    public long ReceiveErrors { get; init; }

    /// <summary>Total datagrams lost on purpose, both ways.</summary>
    public long Lost => LostToServer + LostToClients;

    /// <summary>Total datagrams duplicated on purpose, both ways.</summary>
    public long Duplicated => DuplicatedToServer + DuplicatedToClients;
}
