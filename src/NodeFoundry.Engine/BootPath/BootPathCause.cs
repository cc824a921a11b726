namespace NodeFoundry.BootPath;

/// <summary>
/// Why a boot path check failed, one member per failure the seed reference names (its words are in
/// <see cref="BootPathCauses.Describe"/>). Scripts match on these; the text is for people.
/// </summary>
public enum BootPathCause
{
    /// <summary>The check passed.</summary>
    None = 0,

    /// <summary>No DHCP server offered anything to this firmware (wrong VLAN, no relay, server down).</summary>
    NoDhcpOffer,

    /// <summary>More than one server offered addresses on the segment: a rogue or a second authoritative server.</summary>
    MoreThanOneDhcpServer,

    /// <summary>The offer carries no boot file (option 67 / file): the option-93 match is off.</summary>
    NoBootFile,

    /// <summary>The boot file is not the NBP for this firmware (BIOS vs UEFI, option 93).</summary>
    WrongNbpForFirmware,

    /// <summary>No next-server (siaddr) for a firmware that fetches its NBP over TFTP.</summary>
    NoNextServer,

    /// <summary>next-server names another host than the expected boot server.</summary>
    WrongNextServer,

    /// <summary>A UEFI HTTP Boot offer without option 60 <c>HTTPClient</c>: the firmware ignores it.</summary>
    HttpClientNotEchoed,

    /// <summary>A UEFI HTTP Boot offer whose boot file is not a full http:// URL.</summary>
    BootFileNotUrl,

    /// <summary>iPXE was handed a TFTP loader again instead of the script URL: it chain-loads itself forever.</summary>
    MissingIpxeLoopBreak,

    /// <summary>iPXE got a script URL, but not the one expected for this node.</summary>
    WrongScriptUrl,

    /// <summary>The TFTP server answered "file not found": the NBP is not in the TFTP root, or the path is wrong.</summary>
    TftpFileNotFound,

    /// <summary>The TFTP server did not answer, or stopped answering, within a ROM's timeout.</summary>
    TftpTimeout,

    /// <summary>The TFTP server does not answer tsize, which kills some ROMs.</summary>
    TftpNoTransferSize,

    /// <summary>Another TFTP failure (an ERROR packet, a protocol violation, a size mismatch).</summary>
    TftpError,

    /// <summary>The NBP arrived, but its size or SHA-256 is not the expected one.</summary>
    NbpMismatch,

    /// <summary>HTTP 404 for a boot artifact (NBP, script, kernel, initrd, chain target).</summary>
    HttpNotFound,

    /// <summary>HTTP failed otherwise: no connection, timeout, a status other than 200.</summary>
    HttpError,

    /// <summary>The script iPXE is given does not start with <c>#!ipxe</c>.</summary>
    NotAnIpxeScript,

    /// <summary>The script fetches no kernel and chains nowhere: it cannot boot anything.</summary>
    NothingToBoot,

    /// <summary>404 (or another failure) on NoCloud user-data: the installer drops to interactive prompts.</summary>
    UserDataNotFound,

    /// <summary>user-data is not cloud-config (<c>#cloud-config</c>), or lacks <c>autoinstall:</c> when the kernel asks for autoinstall.</summary>
    UserDataMalformed,

    /// <summary>404 (or another failure) on NoCloud meta-data.</summary>
    MetaDataNotFound,

    /// <summary>meta-data has no <c>instance-id</c>, which cloud-init requires.</summary>
    MetaDataNoInstanceId,

    /// <summary>The NoCloud seed URL (<c>s=</c>) lacks its mandatory trailing slash.</summary>
    SeedUrlNoTrailingSlash,

    /// <summary>The kickstart at <c>inst.ks=</c> cannot be fetched.</summary>
    KickstartNotFound,

    /// <summary>The preseed file at <c>url=</c> cannot be fetched.</summary>
    PreseedNotFound,

    /// <summary>A preseed boot without <c>auto=true priority=critical</c>: the installer asks questions first.</summary>
    PreseedNotAutomatic,
}
