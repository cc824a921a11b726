namespace NodeFoundry.BootPath;

/// <summary>
/// One check of the boot path and its outcome, e.g. Dhcp / "arch 7 (efi-x64)" / passed / "ipxe.efi from
/// 192.0.2.1, next-server 192.0.2.1". A failing check names its <see cref="Cause"/>, and its
/// <see cref="Detail"/> starts with the seed reference's words for it.
/// </summary>
public sealed record BootPathCheck
{
    public required BootPathStage Stage { get; init; }

    /// <summary>What was checked: a firmware ("arch 7 (efi-x64)", "iPXE arch 0 (bios)"), a file or a URL.</summary>
    public required string Target { get; init; }

    public bool Passed => Cause == BootPathCause.None;

    public BootPathCause Cause { get; init; }

    /// <summary>What was seen; for a failure, the cause's words first, then the evidence.</summary>
    public required string Detail { get; init; }

    /// <summary>How long the check's exchange took (zero for checks made on data already at hand).</summary>
    public TimeSpan Duration { get; init; }

    public static BootPathCheck Pass(BootPathStage stage, string target, string detail, TimeSpan duration = default) =>
        new() { Stage = stage, Target = target, Detail = detail, Duration = duration };

    public static BootPathCheck Fail(BootPathStage stage, string target, BootPathCause cause, string evidence, TimeSpan duration = default) =>
        new() { Stage = stage, Target = target, Cause = cause, Detail = $"{BootPathCauses.Describe(cause)}: {evidence}", Duration = duration };

    public override string ToString() => $"{Stage,-10} {Target,-28} {(Passed ? "passed" : "FAILED")}  {Detail}";
}
