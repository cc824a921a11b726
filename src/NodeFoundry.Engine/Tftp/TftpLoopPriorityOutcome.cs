namespace NodeFoundry.Tftp;

/// <summary>What became of the transfer loop's requested scheduling priority (<see cref="TftpServerOptions.LoopNice"/>).</summary>
public enum TftpLoopPriorityOutcome
{
    /// <summary>Not asked for (LoopNice 0) or the loop has not started yet.</summary>
    NotRequested,

    /// <summary>The loop thread runs at the requested nice value.</summary>
    Raised,

    /// <summary>EPERM/EACCES: the process may not raise priority (not root, no CAP_SYS_NICE). It runs as before.</summary>
    NotPermitted,

    /// <summary>Not Linux, or the thread id could not be had. It runs as before.</summary>
    Unsupported,

    /// <summary>Any other error from setpriority. It runs as before.</summary>
    Failed,
}
