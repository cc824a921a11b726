namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// The mode string of a request (RFC 1350 §5). Boot ROMs always ask "octet"; "netascii" is accepted
/// and served byte for byte (NBPs are binary, and translating line ends would change tsize).
/// </summary>
public enum TftpTransferMode
{
    Octet,
    NetAscii,
    Mail,
}
