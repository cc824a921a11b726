using System.Net.NetworkInformation;

namespace NodeFoundry.Probe;

/// <summary>
/// One DHCPDISCOVER a <see cref="DhcpOfferCollector"/> sends: the client's MAC, option 93, option 60 as the
/// firmware formats it, and whether it presents itself as iPXE (option 77 <c>iPXE</c> and option 175).
/// </summary>
public sealed record DhcpDiscover(PhysicalAddress MacAddress, ushort Architecture, string VendorClass, bool Ipxe);
