namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// DHCP option codes NodeFoundry reads or writes (RFC 2132 unless noted). Any other code still
/// parses and round-trips: the collection stores raw bytes, so an unnamed code is just a cast byte.
/// </summary>
public enum DhcpOptionCode : byte
{
    /// <summary>One byte of padding, no length byte. Never stored in a collection.</summary>
    Pad = 0,
    SubnetMask = 1,
    Router = 3,
    DomainNameServer = 6,
    HostName = 12,
    DomainName = 15,
    InterfaceMtu = 26,
    BroadcastAddress = 28,
    NtpServers = 42,

    /// <summary>Vendor-specific information; for PXE clients, PXE sub-options (see <see cref="PxeVendorOptions"/>).</summary>
    VendorSpecific = 43,
    RequestedIpAddress = 50,
    LeaseTime = 51,

    /// <summary>Framing, not content: the parser consumes it and the writer computes it (RFC 2132 §9.3).</summary>
    OptionOverload = 52,
    MessageType = 53,
    ServerIdentifier = 54,
    ParameterRequestList = 55,
    Message = 56,
    MaxMessageSize = 57,
    RenewalTime = 58,
    RebindingTime = 59,
    VendorClassIdentifier = 60,
    ClientIdentifier = 61,
    TftpServerName = 66,
    BootFileName = 67,

    /// <summary>User class (RFC 3004). iPXE sends the raw bytes "iPXE" without RFC 3004 framing.</summary>
    UserClass = 77,

    /// <summary>Rapid commit (RFC 4039).</summary>
    RapidCommit = 80,

    /// <summary>Relay agent information (RFC 3046); a server echoes it, as the last option.</summary>
    RelayAgentInformation = 82,

    /// <summary>Client system architecture (RFC 4578): one or more big-endian 16-bit IANA arch types.</summary>
    ClientSystemArchitecture = 93,

    /// <summary>Client network interface identifier (RFC 4578): type, major, minor.</summary>
    ClientNetworkInterface = 94,

    /// <summary>Client machine identifier (RFC 4578): type 0 followed by a 16-byte UUID.</summary>
    ClientMachineIdentifier = 97,

    /// <summary>Domain search list (RFC 3397).</summary>
    DomainSearch = 119,

    /// <summary>Classless static routes (RFC 3442).</summary>
    ClasslessStaticRoute = 121,

    /// <summary>TFTP server address (RFC 5859).</summary>
    TftpServerAddress = 150,

    /// <summary>iPXE's encapsulated options (see <see cref="IpxeOptions"/>).</summary>
    IpxeEncapsulated = 175,

    /// <summary>End of options, no length byte. Never stored in a collection.</summary>
    End = 255,
}
