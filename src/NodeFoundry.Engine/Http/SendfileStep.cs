namespace NodeFoundry.Http;

/// <summary>Where one turn of a <see cref="SendfileJob"/> stopped.</summary>
internal enum SendfileStep
{
    /// <summary>Every byte of the response is in the kernel.</summary>
    Done,

    /// <summary>The socket buffer is full (EAGAIN): wait for writability, then continue.</summary>
    Blocked,

    /// <summary>The turn's byte budget is used and the socket may still be writable: let other jobs have a turn.</summary>
    Yielded,

    /// <summary>sendfile(2) refused this file or kernel (EINVAL, ENOSYS, EOPNOTSUPP): send the rest the portable way.</summary>
    Unsupported,
}
