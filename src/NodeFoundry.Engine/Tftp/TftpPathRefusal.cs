namespace NodeFoundry.Tftp;

/// <summary>Why a requested name is not served. Each maps to a TFTP error code in <see cref="TftpRootResolver"/>.</summary>
public enum TftpPathRefusal
{
    None,
    Empty,
    TooLong,

    /// <summary>Control characters, NUL, non-ASCII, or characters Windows would reinterpret (<c>: * ? " &lt; &gt; |</c>).</summary>
    BadCharacter,

    /// <summary>Any <c>\</c>: on Windows it is a separator, elsewhere a trap; NBP names never need one.</summary>
    Backslash,

    /// <summary>Any <c>%</c>: no ROM percent-encodes, so an encoded name is a probe for a decoder bug.</summary>
    PercentEncoding,

    /// <summary>More than one leading <c>/</c>, or a drive-like absolute form.</summary>
    AbsolutePath,

    /// <summary>A <c>..</c> or <c>.</c> component, an empty component (<c>a//b</c>), or a trailing dot or space.</summary>
    BadComponent,

    /// <summary>A symlink (or the path after it) resolves outside the root.</summary>
    OutsideRoot,

    NotFound,

    /// <summary>Exists but is not a regular file (a directory, a device, a FIFO).</summary>
    NotAFile,
}
