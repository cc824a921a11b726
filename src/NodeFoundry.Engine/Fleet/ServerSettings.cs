using System.Net;

namespace NodeFoundry.Fleet;

/// <summary>The boot server itself (fleet file: <c>server</c>).</summary>
public sealed class ServerSettings
{
    /// <summary>Our IPv4 address on the boot network: next-server (siaddr) and DHCP option 54 (server identifier). Required.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>Network interface to bind to (for example <c>nfbr0</c>); null binds by <see cref="Address"/> alone.</summary>
    public string? Interface { get; init; }

    /// <summary>UDP port of the TFTP server.</summary>
    public int TftpPort { get; init; } = 69;

    /// <summary>TCP port of the HTTP server.</summary>
    public int HttpPort { get; init; } = 80;

    /// <summary>Folder served over TFTP. The loader resolves a relative path against the fleet file's folder.</summary>
    public string TftpRoot { get; init; } = "tftp";

    /// <summary>Folder served over HTTP. The loader resolves a relative path against the fleet file's folder.</summary>
    public string HttpRoot { get; init; } = "http";

    /// <summary>Folder for the lease journal and other state. The loader resolves a relative path against the fleet file's folder.</summary>
    public string StateDirectory { get; init; } = "state";
}
