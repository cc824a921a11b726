namespace NodeFoundry.Simulation;

/// <summary>Why a simulated node failed at its stage (the stage says where; this says what went wrong).</summary>
public enum StormFailureCause
{
    /// <summary>No answer within the firmware's timeout (DHCP: after every retransmit; TFTP: the ROM's fatal timeout; HTTP: idle too long).</summary>
    Timeout,

    /// <summary>The DHCP server answered the REQUEST with a NAK.</summary>
    Nak,

    /// <summary>The OFFER or ACK named no boot file (or, for iPXE, no http:// script URL).</summary>
    NoBootFile,

    /// <summary>The server refused: a TFTP ERROR packet, or an HTTP status other than 200.</summary>
    ServerError,

    /// <summary>The server broke the protocol (bad OACK, missing tsize, bytes differing from the announced size, unparsable HTTP).</summary>
    ProtocolViolation,

    /// <summary>The TCP connection could not be opened or was closed early.</summary>
    ConnectionFailed,

    /// <summary>The script names no kernel or no initrd URL.</summary>
    ScriptWithoutKernel,

    /// <summary>The storm's total deadline passed (or it was cancelled) before this node finished.</summary>
    Deadline,

    /// <summary>A local socket could not be opened or bound.</summary>
    SocketError,
}
