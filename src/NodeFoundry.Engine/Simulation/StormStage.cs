namespace NodeFoundry.Simulation;

/// <summary>
/// The steps a network-booting node goes through, in order. A simulated node is measured per step and, when it
/// fails, fails at exactly one of them.
/// </summary>
public enum StormStage
{
    /// <summary>Firmware DISCOVER until an OFFER with a boot file (PXE retransmits at 4/8/16/32 s).</summary>
    Discover,

    /// <summary>Firmware REQUEST until the ACK.</summary>
    Request,

    /// <summary>The network boot program over TFTP, as a PXE ROM fetches it (tsize, blksize, ~4 s fatal timeout).</summary>
    Nbp,

    /// <summary>iPXE's own DHCP (user class <c>iPXE</c>, retransmits at 1/2/4/8 s) until the ACK with the script URL.</summary>
    IpxeDhcp,

    /// <summary>The iPXE script over HTTP.</summary>
    Script,

    /// <summary>The kernel the script names, over HTTP.</summary>
    Kernel,

    /// <summary>The initrd the script names, over HTTP: the last stage; a node that finishes it has booted.</summary>
    Initrd,
}
