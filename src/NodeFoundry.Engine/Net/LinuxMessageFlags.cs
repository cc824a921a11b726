namespace NodeFoundry.Net;

/// <summary>send/recv flags (MSG_*) of the engines' raw Linux calls, and the recvmsg result flag they check.</summary>
internal static class LinuxMessageFlags
{
    /// <summary>MSG_TRUNC in msg_flags: the datagram was longer than the buffer.</summary>
    public const int Trunc = 0x20;

    /// <summary>MSG_DONTWAIT: this call does not block, whatever the socket's mode.</summary>
    public const int DontWait = 0x40;

    /// <summary>MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE.</summary>
    public const int NoSignal = 0x4000;
}
