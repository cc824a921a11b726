using NodeFoundry.Events;

namespace NodeFoundry.Hosting;

/// <summary>
/// One engine (DHCP, TFTP, HTTP) as something that runs until cancelled. The PowerShell job type and
/// the service host both run engines only through this interface, so one job type serves every engine.
/// </summary>
public interface IBootService
{
    /// <summary>Short name shown in Get-Job and logs, e.g. "dhcp@192.0.2.1:67".</summary>
    string Name { get; }

    /// <summary>
    /// Binds sockets and serves until <paramref name="cancellationToken"/> is cancelled. Throws (with the
    /// reason: address in use, permission denied, invalid configuration) when it cannot start, so a job
    /// fails with the cause instead of hanging. Returns normally after a clean stop.
    /// </summary>
    Task RunAsync(IBootEventSink events, CancellationToken cancellationToken);
}
