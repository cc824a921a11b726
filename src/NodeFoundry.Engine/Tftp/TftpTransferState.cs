namespace NodeFoundry.Tftp;

/// <summary>Where one transfer stands.</summary>
public enum TftpTransferState
{
    /// <summary>OACK sent; waiting for ACK 0.</summary>
    AwaitingOptionAck,

    /// <summary>DATA windows going out.</summary>
    Sending,

    Completed,
    Failed,
    Aborted,
}
