namespace NodeFoundry.Boot;

/// <summary>What a generated iPXE script does.</summary>
public enum BootScriptKind
{
    /// <summary>Ubuntu live-server installer with autoinstall from a NoCloud seed (<c>autoinstall ds=nocloud-net;s=URL/</c>).</summary>
    Ubuntu,

    /// <summary>RHEL-family installer (anaconda) with a kickstart file (<c>inst.ks=URL</c>).</summary>
    Rhel,

    /// <summary>Debian installer with a preseed file (<c>auto=true priority=critical url=URL</c>).</summary>
    Debian,

    /// <summary>A kernel, optional initrd and command line exactly as given.</summary>
    Custom,

    /// <summary>Chain-load another iPXE script or image from a URL.</summary>
    Chain,

    /// <summary>Boot a SAN target or image (iSCSI, AoE, an ISO over HTTP) with iPXE's <c>sanboot</c>.</summary>
    Sanboot,

    /// <summary>Leave network boot: the first hard disk on BIOS, back to the firmware's boot order on UEFI.</summary>
    ExitToDisk,
}
