namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>
/// Datagrams as real firmware sends them (shapes from firmware-lab.md, "What the clients send"),
/// written out field by field like RFC 2131 figure 1. Shared by the golden tests and as fuzz seeds.
/// </summary>
internal static class GoldenPackets
{
    /// <summary>iPXE ROM on SeaBIOS (and undionly.kpxe): DHCPDISCOVER.</summary>
    public static byte[] IpxeBiosDiscover() =>
    [
        0x01,                   // op: BOOTREQUEST
        0x01,                   // htype: Ethernet
        0x06,                   // hlen: 6
        0x00,                   // hops
        0x12, 0x34, 0x56, 0x78, // xid
        0x00, 0x00,             // secs
        0x80, 0x00,             // flags: BROADCAST (iPXE cannot take unicast yet)
        0x00, 0x00, 0x00, 0x00, // ciaddr
        0x00, 0x00, 0x00, 0x00, // yiaddr
        0x00, 0x00, 0x00, 0x00, // siaddr
        0x00, 0x00, 0x00, 0x00, // giaddr
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // chaddr: 52:54:00:12:34:56 (QEMU)
        .. new byte[10],        // chaddr padding to 16
        .. new byte[64],        // sname: empty
        .. new byte[128],       // file: empty
        0x63, 0x82, 0x53, 0x63, // magic cookie 99.130.83.99
        53, 1, 0x01,            // option 53 message type: DISCOVER
        57, 2, 0x05, 0xc0,      // option 57 max message size: 1472 (1500 - IP - UDP)
        93, 2, 0x00, 0x00,      // option 93 client arch: 0 (x86 BIOS)
        94, 3, 0x01, 0x02, 0x01, // option 94 client NDI: UNDI 2.1
        60, 32, .. "PXEClient:Arch:00000:UNDI:002001"u8, // option 60 vendor class
        77, 4, .. "iPXE"u8,     // option 77 user class: raw "iPXE", no RFC 3004 length prefix
        55, 23,                 // option 55 parameter request list:
            1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119,
            128, 129, 130, 131, 132, 133, 134, 135, 175, 203,
        175, 24,                // option 175 iPXE encapsulated:
            0xb1, 5, 0x01, 0x80, 0x86, 0x10, 0x0e, //   bus-id: PCI 8086:100e (e1000)
            0xeb, 3, 0x01, 0x00, 0x82,             //   version 1.0.130
            0x13, 1, 1,                             //   feature HTTP
            0x15, 1, 1,                             //   feature TFTP
            0x17, 1, 1,                             //   feature DNS
            0x21, 1, 1,                             //   feature PXE
        61, 7, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // option 61 client id: type 1 (Ethernet) + MAC
        97, 17, 0x00,           // option 97 machine id: type 0 +
            .. new byte[16],    //   all-zero UUID (QEMU without -uuid)
        255,                    // End
    ];

    /// <summary>OVMF (EDK2) PXE on x64: DHCPDISCOVER.</summary>
    public static byte[] OvmfPxeDiscover() =>
    [
        0x01,                   // op: BOOTREQUEST
        0x01,                   // htype: Ethernet
        0x06,                   // hlen: 6
        0x00,                   // hops
        0xde, 0xad, 0xbe, 0xef, // xid
        0x00, 0x04,             // secs: 4
        0x80, 0x00,             // flags: BROADCAST
        0x00, 0x00, 0x00, 0x00, // ciaddr
        0x00, 0x00, 0x00, 0x00, // yiaddr
        0x00, 0x00, 0x00, 0x00, // siaddr
        0x00, 0x00, 0x00, 0x00, // giaddr
        0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, // chaddr: 52:54:00:ab:cd:ef
        .. new byte[10],        // chaddr padding
        .. new byte[64],        // sname
        .. new byte[128],       // file
        0x63, 0x82, 0x53, 0x63, // magic cookie
        53, 1, 0x01,            // option 53: DISCOVER
        57, 2, 0x05, 0xc0,      // option 57: 1472
        55, 8, 1, 3, 6, 12, 43, 60, 66, 67, // option 55
        97, 17, 0x00,           // option 97: type 0 + UUID 12345678-1234-5678-9abc-def012345678, PXE byte order:
            0x78, 0x56, 0x34, 0x12, //   time_low, little-endian
            0x34, 0x12,             //   time_mid, little-endian
            0x78, 0x56,             //   time_hi_and_version, little-endian
            0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, // clock_seq and node, as written
        94, 3, 0x01, 0x03, 0x00, // option 94: UNDI 3.0
        93, 2, 0x00, 0x07,      // option 93: 7 (EFI x64)
        60, 32, .. "PXEClient:Arch:00007:UNDI:003000"u8, // option 60
        255,                    // End
        .. new byte[4],         // Pad (EDK2 rounds the packet up)
    ];

    /// <summary>OVMF UEFI HTTP Boot on x64: DHCPDISCOVER.</summary>
    public static byte[] OvmfHttpDiscover() =>
    [
        0x01,                   // op: BOOTREQUEST
        0x01,                   // htype: Ethernet
        0x06,                   // hlen: 6
        0x00,                   // hops
        0x0a, 0x0b, 0x0c, 0x0d, // xid
        0x00, 0x00,             // secs
        0x00, 0x00,             // flags: none
        0x00, 0x00, 0x00, 0x00, // ciaddr
        0x00, 0x00, 0x00, 0x00, // yiaddr
        0x00, 0x00, 0x00, 0x00, // siaddr
        0x00, 0x00, 0x00, 0x00, // giaddr
        0x52, 0x54, 0x00, 0x00, 0x00, 0x16, // chaddr: 52:54:00:00:00:16
        .. new byte[10],        // chaddr padding
        .. new byte[64],        // sname
        .. new byte[128],       // file
        0x63, 0x82, 0x53, 0x63, // magic cookie
        53, 1, 0x01,            // option 53: DISCOVER
        57, 2, 0x05, 0xc0,      // option 57: 1472
        55, 6, 1, 3, 6, 15, 60, 67, // option 55
        97, 17, 0x00, .. new byte[16], // option 97: type 0, zero UUID
        94, 3, 0x01, 0x03, 0x00, // option 94: UNDI 3.0
        93, 2, 0x00, 0x10,      // option 93: 16 (x64 UEFI HTTP)
        60, 33, .. "HTTPClient:Arch:00016:UNDI:003000"u8, // option 60: HTTPClient (must be echoed)
        255,                    // End
    ];
}
