namespace NodeFoundry.Tftp;

/// <summary>How the TFTP server's transfer loop hears datagrams (docs/tftp.md, "Receiving").</summary>
public enum TftpReceivePath
{
    /// <summary>Not running yet.</summary>
    None,

    /// <summary>
    /// The runtime's asynchronous receives: its socket-engine thread, then a thread-pool worker, then the loop's
    /// queue (three scheduling hops per datagram). Other OSes, and Linux when epoll setup fails.
    /// </summary>
    Portable,

    /// <summary>Linux: the transfer loop waits in epoll_wait on every TFTP socket and reads them itself (one hop).</summary>
    Epoll,
}
