namespace NodeFoundry.BootPath;

/// <summary>
/// The words each <see cref="BootPathCause"/> is reported with: the seed reference's own phrasing of the
/// failure (shared/seeds: "Failure modes" and "Validated usage &amp; tests"), so an operator who has read
/// the runbook recognises it.
/// </summary>
public static class BootPathCauses
{
    public static string Describe(BootPathCause cause) => cause switch
    {
        BootPathCause.None => "ok",
        BootPathCause.NoDhcpOffer => "no DHCP offer",
        BootPathCause.MoreThanOneDhcpServer => "more than one DHCP server",
        BootPathCause.NoBootFile => "no boot file (a missing tag: the option-93 match is off)",
        BootPathCause.WrongNbpForFirmware => "wrong NBP for the firmware",
        BootPathCause.NoNextServer => "no next-server",
        BootPathCause.WrongNextServer => "wrong next-server",
        BootPathCause.HttpClientNotEchoed => "option 60 HTTPClient not echoed",
        BootPathCause.BootFileNotUrl => "boot file is not a full http:// URL",
        BootPathCause.MissingIpxeLoopBreak => "missing iPXE loop break",
        BootPathCause.WrongScriptUrl => "wrong iPXE script URL",
        BootPathCause.TftpFileNotFound => "file not found in the TFTP root",
        BootPathCause.TftpTimeout => "TFTP timeout",
        BootPathCause.TftpNoTransferSize => "server does not support tsize",
        BootPathCause.TftpError => "TFTP transfer failed",
        BootPathCause.NbpMismatch => "NBP differs from the expected file",
        BootPathCause.HttpNotFound => "404",
        BootPathCause.HttpError => "HTTP request failed",
        BootPathCause.NotAnIpxeScript => "not an iPXE script (#!ipxe)",
        BootPathCause.NothingToBoot => "the script fetches no kernel and chains nowhere",
        BootPathCause.UserDataNotFound => "404 on user-data",
        BootPathCause.UserDataMalformed => "user-data is not #cloud-config autoinstall",
        BootPathCause.MetaDataNotFound => "404 on meta-data",
        BootPathCause.MetaDataNoInstanceId => "meta-data has no instance-id",
        BootPathCause.SeedUrlNoTrailingSlash => "malformed ds=nocloud-net;s=... (missing trailing /)",
        BootPathCause.KickstartNotFound => "bad inst.ks= URL",
        BootPathCause.PreseedNotFound => "bad preseed url=",
        BootPathCause.PreseedNotAutomatic => "missing auto=true priority=critical",
        _ => cause.ToString(),
    };
}
