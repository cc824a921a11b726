namespace NodeFoundry.Fleet;

/// <summary>Where the DHCP server keeps its leases (fleet file: <c>storage.kind</c>).</summary>
public enum StorageKind
{
    /// <summary>The local lease journal under <c>server.stateDirectory</c>: one server, nothing to install.</summary>
    Journal,

    /// <summary>A PostgreSQL database shared by several NodeFoundry servers.</summary>
    PostgreSql,
}
