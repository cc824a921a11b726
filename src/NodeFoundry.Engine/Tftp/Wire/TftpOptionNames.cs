namespace NodeFoundry.Tftp.Wire;

/// <summary>The option names this server understands, each with the RFC that defines it and its valid range.</summary>
public static class TftpOptionNames
{
    /// <summary>RFC 2348: data block size in bytes, 8–65464. iPXE asks 1432, OVMF 1468, curl what it is told.</summary>
    public const string BlockSize = "blksize";

    /// <summary>RFC 2349: retransmission timeout in seconds, 1–255.</summary>
    public const string Timeout = "timeout";

    /// <summary>RFC 2349: transfer size; a client sends 0 in an RRQ and the server answers the file's size.</summary>
    public const string TransferSize = "tsize";

    /// <summary>RFC 7440: number of DATA blocks sent before waiting for an ACK, 1–65535.</summary>
    public const string WindowSize = "windowsize";

    public const int MinBlockSize = 8;
    public const int MaxBlockSize = 65464;
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 255;
    public const int MinWindowSize = 1;
    public const int MaxWindowSize = 65535;
}
