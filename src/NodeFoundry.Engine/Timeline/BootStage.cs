namespace NodeFoundry.Timeline;

/// <summary>
/// Where a node is on its way from power-on to an installed OS, in boot order. A node's current stage is
/// the highest one it has reached; stages it skipped (an event lost, or a path that has no such step,
/// such as UEFI HTTP Boot's loader fetched over HTTP) keep no timestamp.
/// </summary>
public enum BootStage
{
    /// <summary>Nothing observed yet.</summary>
    None = 0,

    /// <summary>The firmware's DHCPDISCOVER was answered with an offer.</summary>
    Offered,

    /// <summary>The firmware's lease was granted (DHCPACK).</summary>
    Bound,

    /// <summary>The network boot program (iPXE) was fetched: a TFTP transfer completed, or a UEFI HTTP Boot loader GET.</summary>
    NbpFetched,

    /// <summary>iPXE ran its own DHCP (a lease event with user class iPXE).</summary>
    IpxeDhcp,

    /// <summary>The per-node iPXE script (<c>/boot/{mac}.ipxe</c>) was served.</summary>
    ScriptFetched,

    /// <summary>The profile's kernel was served over HTTP.</summary>
    Kernel,

    /// <summary>The profile's initrd was served over HTTP.</summary>
    Initrd,

    /// <summary>An answer file (NoCloud seed, kickstart, preseed) was served.</summary>
    AnswerFile,

    /// <summary>The installer called phone-home: the install is done.</summary>
    Installed,
}
