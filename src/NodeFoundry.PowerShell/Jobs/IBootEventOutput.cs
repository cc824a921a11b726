using NodeFoundry.Events;

namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// Where a <see cref="BootServiceRunner"/> delivers engine events: a PowerShell job's Output stream in
/// the module, a list in tests. Called from one pump thread only.
/// </summary>
internal interface IBootEventOutput
{
    /// <summary>Delivers one event without blocking; returns how many older events it discarded to make room.</summary>
    int Write(BootEvent bootEvent);
}
