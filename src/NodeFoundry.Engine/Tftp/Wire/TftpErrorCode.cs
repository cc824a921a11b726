namespace NodeFoundry.Tftp.Wire;

/// <summary>ERROR packet codes (RFC 1350 appendix; 8 from RFC 2347).</summary>
public enum TftpErrorCode : ushort
{
    /// <summary>Not defined, see the message. Used for timeouts and "server busy".</summary>
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,

    /// <summary>A packet reached a transfer's port from a stranger (RFC 1350 §4): answer it, keep the transfer.</summary>
    UnknownTransferId = 5,
    FileAlreadyExists = 6,
    NoSuchUser = 7,

    /// <summary>The client rejects our OACK (RFC 2347); OVMF sends an ERROR after its tsize probe too.</summary>
    OptionNegotiationFailed = 8,
}
