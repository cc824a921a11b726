namespace NodeFoundry.Tests.Storage;

/// <summary>What a simulated network-boot client says of itself in DHCP: option 93's architecture, option 97's UUID, and whether it is iPXE (option 77).</summary>
internal sealed record BootClientIdentity(ushort Architecture, Guid Uuid, bool Ipxe = false)
{
    /// <summary>The same machine once iPXE runs: same UUID and architecture, user class iPXE.</summary>
    public BootClientIdentity AsIpxe() => this with { Ipxe = true };
}
