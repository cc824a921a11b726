using System.Net;

namespace NodeFoundry.Simulation;

/// <summary>Where a simulated node sends DHCP, and TFTP when not to the OFFER's next-server:69.</summary>
internal sealed record BootServers(IPEndPoint Dhcp, IPEndPoint? Tftp);
