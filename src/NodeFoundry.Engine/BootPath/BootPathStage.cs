namespace NodeFoundry.BootPath;

/// <summary>
/// The steps of the boot path in the seed reference's acceptance order: DHCP answers with the right NBP,
/// the NBP is fetchable over TFTP, the HTTP artifacts resolve, the answer files are there and well formed.
/// </summary>
public enum BootPathStage
{
    /// <summary>Firmware's and iPXE's DHCP: offers, boot file, next-server, option 60, servers on the segment.</summary>
    Dhcp,

    /// <summary>The network boot program over TFTP, fetched as a PXE ROM does (tsize, blksize).</summary>
    Tftp,

    /// <summary>HTTP: the UEFI HTTP Boot NBP, the iPXE script and what it fetches (kernel, initrd, chain).</summary>
    Http,

    /// <summary>Unattended-install files the kernel command line points at (NoCloud, kickstart, preseed).</summary>
    AnswerFile,
}
