namespace NodeFoundry.Tftp.Wire;

/// <summary>The first two bytes of every TFTP packet (RFC 1350 §5; OACK from RFC 2347).</summary>
public enum TftpOpcode : ushort
{
    /// <summary>RRQ: read request (the only request this server honours; it is read-only).</summary>
    ReadRequest = 1,

    /// <summary>WRQ: write request (always refused with error 2).</summary>
    WriteRequest = 2,

    /// <summary>DATA: one block of the file.</summary>
    Data = 3,

    /// <summary>ACK: the receiver has the block.</summary>
    Acknowledgment = 4,

    /// <summary>ERROR: ends the transfer; never acknowledged or retransmitted.</summary>
    Error = 5,

    /// <summary>OACK: options accepted (RFC 2347); the client answers with ACK 0.</summary>
    OptionAcknowledgment = 6,
}
