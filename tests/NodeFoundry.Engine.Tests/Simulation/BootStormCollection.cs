namespace NodeFoundry.Tests.Simulation;

/// <summary>
/// Storms put dozens of nodes' DHCP, TFTP and HTTP on loopback at once. They run alone, not beside the rest of the
/// suite, so they neither starve nor are starved by the other socket tests (the DHCP fuzz test's probe timed out
/// beside them on a loaded machine).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BootStormCollection
{
    public const string Name = "Boot storms";
}
