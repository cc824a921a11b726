namespace NodeFoundry.PowerShell.Jobs;

/// <summary>
/// Lifecycle of one engine run. Mirrors the subset of PowerShell's JobState a boot job uses, so the
/// runner stays free of System.Management.Automation and can be tested without PowerShell.
/// </summary>
internal enum BootRunState
{
    NotStarted,
    Running,
    Stopping,

    /// <summary>Stopped on request (Stop-Job, Ctrl+C, Remove-Job -Force).</summary>
    Stopped,

    /// <summary>The engine returned by itself without being asked to stop.</summary>
    Completed,

    /// <summary>The engine threw; <see cref="BootServiceRunner.Failure"/> holds why.</summary>
    Failed,
}

internal sealed class BootRunStateChangedEventArgs(BootRunState state, Exception? reason) : EventArgs
{
    public BootRunState State { get; } = state;

    public Exception? Reason { get; } = reason;
}
